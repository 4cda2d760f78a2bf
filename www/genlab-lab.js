// <genlab-lab>: one GenLab lab in any web page, as an iframe of GenLab's embed mode, scripted
// through GenLab's postMessage API. Load it with
//   <script type="module" src="genlab/genlab-lab.js"></script>
//   <genlab-lab src="genlab/index.html" settings="family=gan&dataset=moons"></genlab-lab>
// Methods: play(), pause(), getState() → Promise<notebook JSON>, setState(json) → Promise<errors>.

class GenLabLab extends HTMLElement {
  static observedAttributes = ["src", "settings", "width", "height"];

  #frame = document.createElement("iframe");
  #waiting = [];

  constructor() {
    super();
    this.#frame.title = "GenLab";
    this.#frame.style.border = "0";
    // Threads, where the embedding page is cross-origin isolated too (README: Embedding).
    this.#frame.allow = "cross-origin-isolated";
    this.attachShadow({ mode: "open" }).append(this.#frame);
    window.addEventListener("message", (event) => {
      if (event.source !== this.#frame.contentWindow || event.data?.genlab !== "state") return;
      for (const resolve of this.#waiting.splice(0)) resolve(event.data);
    });
  }

  attributeChangedCallback() {
    const src = this.getAttribute("src") ?? "index.html";
    const settings = this.getAttribute("settings") ?? "";
    const url = new URL(src, document.baseURI);
    url.search = `embed${settings ? `&${settings}` : ""}`;
    this.#frame.src = url.href;
    this.#frame.width = this.getAttribute("width") ?? "1000";
    this.#frame.height = this.getAttribute("height") ?? "1400";
  }

  #send(message) {
    this.#frame.contentWindow?.postMessage(message, new URL(this.#frame.src).origin);
  }

  #reply(message) {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#send(message);
    });
  }

  /** Starts training the lab. */
  play() {
    this.#send({ genlab: "play" });
  }

  /** Pauses it. */
  pause() {
    this.#send({ genlab: "pause" });
  }

  /** Resolves to the lab's notebook JSON (a string). */
  async getState() {
    return (await this.#reply({ genlab: "get-state" })).notebook;
  }

  /** Replaces the lab's notebook; resolves to the messages of rejected settings. */
  async setState(notebook) {
    return (await this.#reply({ genlab: "set-state", notebook })).errors;
  }
}

customElements.define("genlab-lab", GenLabLab);
