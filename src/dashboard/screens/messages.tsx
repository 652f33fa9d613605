// Pages that explain why there is nothing to show: 404, a refused form (403), our own failure (500).
// They share the sign-in page's look: one centred card, a way back. Each has its document title beside
// it, for the frame (src/dashboard/answers.tsx sends them).
import type { Child } from "hono/jsx";
import { Brand } from "../components";
import { useSession } from "../request-context";
import { urls } from "../urls";

type MessageProps = { code: string; title: string; body: Child; homeHref: string; homeLabel: string };

export const MESSAGE_TITLES = {
  notFound: "Page not found",
  refused: "This request was refused",
  serverError: "Something went wrong on our side",
} as const;

const MessagePage = ({ code, title, body, homeHref, homeLabel }: MessageProps) => (
  <main id="main" class="auth-page">
    <section class="card auth-card" aria-labelledby="message-title">
      <Brand href={homeHref} />
      <header>
        <p class="eyebrow">Error {code}</p>
        <h1 id="message-title">{title}</h1>
      </header>
      <div class="message-body">{body}</div>
      <div class="message-actions">
        <a class="button" href={homeHref}>
          {homeLabel}
        </a>
        <a class="button button-secondary" href={urls.docs}>
          API reference
        </a>
      </div>
    </section>
  </main>
);

/** "Back" is the same address either way (/ redirects when signed in); only the words differ. */
const homeOf = (signedIn: boolean) => ({
  homeHref: urls.home,
  homeLabel: signedIn ? "Back to the dashboard" : "Sign in",
});

export const NotFoundPage = () => (
  <MessagePage
    code="404"
    title={MESSAGE_TITLES.notFound}
    body={
      <p>
        There is no page at this address, or it belongs to a workspace this session is not signed in to. To
        open another workspace, sign in with one of its API keys.
      </p>
    }
    {...homeOf(useSession() !== null)}
  />
);

export const CrossSiteRefusedPage = ({ reason }: { reason: string }) => (
  <MessagePage
    code="403"
    title={MESSAGE_TITLES.refused}
    body={
      <>
        <p>
          Leadpush only accepts forms sent from its own pages, and this one could not be trusted: {reason}.
          Nothing was changed.
        </p>
        <p>
          If you sent it yourself, go back, reload the page and try again. If you did not, another site may
          have tried to act for you; you can safely ignore this page.
        </p>
      </>
    }
    {...homeOf(useSession() !== null)}
  />
);

export const ServerErrorPage = () => (
  <MessagePage
    code="500"
    title={MESSAGE_TITLES.serverError}
    body={<p>The page could not be shown. Nothing you did caused this; please try again in a moment.</p>}
    homeHref={urls.home}
    homeLabel="Back to the dashboard"
  />
);
