import { v7 as uuidv7 } from "uuid";

// Ids are UUIDv7 (74 random bits, time-ordered): unguessable, and newest-first lists are an index walk.
export const newId = (prefix: "dst" | "key" | "evt" | "dlv" | "rcv") =>
  `${prefix}_${uuidv7().replaceAll("-", "")}`;

export const ID_PATTERN = /^(dst|key|evt|dlv|rcv)_[0-9a-f]{32}$/;
