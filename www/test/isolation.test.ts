// The isolation service worker's registration (www/src/isolation.ts): one reload once the worker
// is active, never a loop; nothing where the page is isolated, insecure or already controlled.
// Chromium's side is tested end to end (tests/e2e/cpu_modules.test.mjs).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { isolate, type IsolationHost } from "../src/isolation";

function host(change: Partial<IsolationHost> = {}, controlled = false): { host: IsolationHost; log: string[] } {
  const log: string[] = [];
  const stored = new Map<string, string>();
  const value: IsolationHost = {
    isolated: false,
    secure: true,
    serviceWorker: {
      register: async (url: string | URL) => {
        log.push(`register ${String(url)}`);
        return {} as ServiceWorkerRegistration;
      },
      controller: controlled ? ({} as ServiceWorker) : null,
      get ready() {
        log.push("ready");
        return Promise.resolve({} as ServiceWorkerRegistration);
      },
    },
    session: { getItem: (key) => stored.get(key) ?? null, setItem: (key, item) => void stored.set(key, item) },
    reload: () => log.push("reload"),
    ...change,
  };
  return { host: value, log };
}

test("an isolated page, an insecure one or one without service workers registers nothing", async () => {
  for (const [change, expected] of [
    [{ isolated: true }, "isolated"],
    [{ isolated: undefined }, "isolated"],
    [{ secure: false }, "unsupported"],
    [{ serviceWorker: undefined }, "unsupported"],
  ] as const) {
    const { host: page, log } = host(change);
    assert.equal(await isolate(page), expected);
    assert.deepEqual(log, []);
  }
});

test("an uncontrolled page reloads once the worker is active, and only once per tab", async () => {
  const { host: page, log } = host();
  assert.equal(await isolate(page), "reloading");
  assert.deepEqual(log, ["register coi-serviceworker.min.js", "ready", "reload"]);
  assert.equal(await isolate(page), "reloaded", "after the reload, still not isolated: no second one");
  assert.deepEqual(log.slice(3), ["register coi-serviceworker.min.js"]);
});

test("a controlled page that is still not isolated (embedded in one that is not) is left as it is", async () => {
  const { host: page, log } = host({}, true);
  assert.equal(await isolate(page), "controlled");
  assert.deepEqual(log, ["register coi-serviceworker.min.js"]);
});
