// Cross-origin isolation on hosts that cannot send COOP/COEP (GitHub Pages): the service worker of
// npm `coi-serviceworker` (copied into dist/ by Trunk) adds those headers to every response it
// serves. Registered here rather than by that package's own page script, whose reload can race
// the worker's activation under load and leave the page uncontrolled: this waits until the worker
// is active, then reloads once (a session flag stops any loop). A page the worker already
// controls that is still not isolated (embedded in a page that is not) is left as it is: it
// trains on one thread, and its badge says why.

/** The service worker's file, beside index.html (its scope is the page's directory). */
const WORKER = "coi-serviceworker.min.js";
/** Set for the one reload of this tab. */
const RELOADED = "genlab-isolation-reload";

/** What `isolate` needs of the page (its globals, as arguments for the tests). */
export interface IsolationHost {
  isolated: boolean | undefined;
  secure: boolean;
  serviceWorker: Pick<ServiceWorkerContainer, "register" | "controller" | "ready"> | undefined;
  session: Pick<Storage, "getItem" | "setItem">;
  reload(): void;
}

/** Registers the service worker where the page is not isolated and could be; resolves to what was done. */
export async function isolate(host: IsolationHost): Promise<"isolated" | "unsupported" | "controlled" | "reloading" | "reloaded"> {
  if (host.isolated !== false) return "isolated";
  if (!host.secure || host.serviceWorker === undefined) return "unsupported";
  await host.serviceWorker.register(WORKER);
  if (host.serviceWorker.controller !== null) return "controlled";
  if (host.session.getItem(RELOADED) !== null) return "reloaded";
  await host.serviceWorker.ready;
  host.session.setItem(RELOADED, "1");
  host.reload();
  return "reloading";
}

/** `isolate` with this page's globals; a failure only means one thread, so it is logged, not thrown. */
export function isolatePage(): void {
  isolate({
    isolated: globalThis.crossOriginIsolated,
    secure: globalThis.isSecureContext,
    serviceWorker: "serviceWorker" in navigator ? navigator.serviceWorker : undefined,
    session: sessionStorage,
    reload: () => location.reload(),
  }).catch((error: unknown) => console.warn("GenLab: the isolation service worker did not register:", error));
}
