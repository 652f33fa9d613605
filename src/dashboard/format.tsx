// How times, durations and HTTP statuses read on the dashboard. Times are UTC, said so, and carried
// in a <time> element with the exact ISO value.
const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

export const formatTime = (iso: string) => `${DATE_TIME.format(new Date(iso))} UTC`;

export const Time = ({ iso }: { iso: string }) => <time datetime={iso}>{formatTime(iso)}</time>;

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const httpStatus = (status: number) =>
  `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ""}`;
