// The dashboard's stroke icons, drawn inline (no icon font, nothing fetched).
import type { PropsWithChildren } from "hono/jsx";

type IconProps = { size?: number };

/** A decorative stroke icon: hidden from assistive technology, its meaning is always in a word beside it. */
const Icon = ({ size = 18, className, children }: PropsWithChildren<IconProps & { className?: string }>) => (
  <svg
    width={size}
    height={size}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="1.8"
    stroke-linecap="round"
    stroke-linejoin="round"
    class={className}
    aria-hidden="true"
    focusable="false"
  >
    {children}
  </svg>
);

export const IntegrationsIcon = ({ size = 18 }: IconProps) => (
  <Icon size={size}>
    <rect x="3.5" y="3.5" width="7" height="7" rx="1.5" />
    <rect x="13.5" y="3.5" width="7" height="7" rx="1.5" />
    <rect x="3.5" y="13.5" width="7" height="7" rx="1.5" />
    <path d="M17 13.5v7M13.5 17h7" />
  </Icon>
);

export const WebhookIcon = ({ size = 18 }: IconProps) => (
  <Icon size={size}>
    <circle cx="6" cy="17" r="2.5" />
    <circle cx="18" cy="17" r="2.5" />
    <circle cx="12" cy="6.5" r="2.5" />
    <path d="M10.6 8.6 7.2 14.8M13.4 8.6l3.4 6.2M8.5 17h7" />
  </Icon>
);

export const BookIcon = ({ size = 18 }: IconProps) => (
  <Icon size={size}>
    <path d="M4 5.5A2.5 2.5 0 0 1 6.5 3H20v15H6.5A2.5 2.5 0 0 0 4 20.5z" />
    <path d="M4 20.5A2.5 2.5 0 0 0 6.5 23H20v-5M8 7.5h8" />
  </Icon>
);

export const ActivityIcon = ({ size = 18 }: IconProps) => (
  <Icon size={size}>
    <path d="M3 12h4l3-7 4 14 3-7h4" />
  </Icon>
);

export const InboxIcon = ({ size = 18 }: IconProps) => (
  <Icon size={size}>
    <path d="M3 13.5 5.5 5h13l2.5 8.5V19a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z" />
    <path d="M3 13.5h5l1.5 2.5h5l1.5-2.5h5" />
  </Icon>
);

export const ChevronDown = ({ size = 16 }: IconProps) => (
  <Icon size={size} className="chevron">
    <path d="m6 9 6 6 6-6" />
  </Icon>
);
