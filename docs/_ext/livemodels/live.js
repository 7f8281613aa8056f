// Live models: each {live-model} block on a page becomes a small form that runs one of the
// site's models on the reader's own text, in the reader's browser.
//
// Nothing is fetched until the reader clicks; the button says how much will be. The ONNX
// models (fill-mask, topic classifier, T5, tokenizers) run in one Web Worker per page
// (worker.js, transformers.js); SmolLM2 runs in wllama's own worker (generate.js). After a
// run, the block carries its result for tests and tools: data-state ("done" or "error"),
// data-result (JSON), data-first-ms (click to first result, loading included) and
// data-run-ms (the last run alone); for SmolLM2 also data-first-token-ms (click to the first
// streamed token, on the first run).

(() => {
// A classic deferred script, not a module: browsers refuse module scripts on file:// pages,
// and such a page must still say how to serve the site. Wrapped in a function, so its
// names stay out of the page's global scope.
const SCRIPT = document.currentScript;
const HERE = new URL(".", SCRIPT.src).href; // .../_static/live/
const BYTES = JSON.parse(SCRIPT.dataset.bytes);
const URLS = Object.fromEntries(
  Object.entries(JSON.parse(SCRIPT.dataset.urls)).map(([k, v]) => [k, new URL(v, HERE).href]),
);

const TASKS = {
  "fill-mask": {
    title: "Fill the [MASK] with BERT (MiniLM + our fill-mask head)",
    hint: "A sentence with one [MASK].",
    button: "Fill the mask",
  },
  classify: {
    title: "Classify a news text with the fine-tuned BERT (five BBC topics)",
    hint: "A news paragraph in English.",
    button: "Classify",
    multiline: true,
  },
  translate: {
    title: "Text to text with our T5: the prefix says the task",
    hint: "translate English to French: a short sentence (or bbc topic: a news sentence)",
    button: "Generate",
  },
  "cross-attention": {
    title: "Where the T5 looks: cross-attention on your sentence",
    hint: "translate English to French: a short sentence",
    button: "Translate and draw",
  },
  tokenize: {
    title: "The same text through three tokenizers",
    hint: "Any text.",
    button: "Tokenize",
  },
  generate: {
    title: "Chat with SmolLM2-135M-Instruct (a LLaMA-style decoder)",
    hint: "A question or instruction.",
    button: "Generate",
    multiline: true,
  },
};

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
const el = (tag, attrs = {}, ...kids) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...kids);
  return node;
};

// --- the transformers.js worker: one per page, started on the first click -----------------
let worker = null;
let nextId = 0;
const pending = new Map();

function call(op, payload, onProgress) {
  if (!worker) {
    worker = new Worker(new URL("worker.js", HERE), { type: "module" });
    worker.onmessage = ({ data }) => {
      const job = pending.get(data.id);
      if (!job) return;
      if (data.kind === "progress") job.onProgress?.(data);
      else {
        pending.delete(data.id);
        data.kind === "done" ? job.resolve(data.value) : job.reject(new Error(data.message));
      }
    };
    const init = call("init", { urls: URLS });
    init.catch(() => {});
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress });
    worker.postMessage({ id, op, ...payload });
  });
}

// --- SmolLM2 through wllama (generate.js): loaded once per page -----------------------------
let decoder = null;
function loadDecoder(onProgress) {
  decoder ??= (async () => {
    const gen = await import(new URL("generate.js", HERE).href);
    const handle = await gen.loadDecoder({
      wllamaModuleUrl: URLS.wllama,
      wasmUrl: URLS.wllamaWasm,
      ggufUrl: URLS.gguf,
      onProgress,
    });
    return { gen, handle };
  })();
  return decoder;
}

// --- rendering ------------------------------------------------------------------------------
function bars(rows, key) {
  const table = el("div", { class: "live-bars" });
  for (const row of rows) {
    const pct = (100 * row.score).toFixed(1);
    const bar = el("span", { class: "live-bar" });
    bar.style.width = `${Math.max(0.5, row.score * 100)}%`;
    table.append(
      el("span", { class: "live-label", text: row[key] }),
      el("span", { class: "live-track" }, bar),
      el("span", { class: "live-pct", text: `${pct} %` }),
    );
  }
  return table;
}

// A heat map of cross-attention: the French tokens written (rows) against the English
// tokens read (columns), for one layer, one head or the mean of its heads.
function heatmap(attention, out) {
  const { source, target, weights } = attention;
  const layer = el("select", { "aria-label": "layer" });
  weights.forEach((_, k) => layer.append(el("option", { value: String(k), text: `layer ${k + 1}` })));
  const head = el("select", { "aria-label": "head" });
  head.append(el("option", { value: "mean", text: "mean of the heads" }));
  weights[0].forEach((_, h) => head.append(el("option", { value: String(h), text: `head ${h + 1}` })));
  layer.value = String(weights.length - 1); // the last layer, as the page's figure
  const grid = el("div", { class: "live-heat", role: "img" });
  const scale = el("p", { class: "live-meta" });
  const draw = () => {
    const heads = weights[Number(layer.value)];
    const pick = head.value === "mean" ? heads : [heads[Number(head.value)]];
    const mean = target.map((_, r) => source.map((_, c) => pick.reduce((sum, m) => sum + m[r][c], 0) / pick.length));
    const top = Math.max(...mean.flat());
    scale.textContent = `Darkest cell: weight ${top.toFixed(2)}; each row sums to 1. Hover a cell for its weight.`;
    grid.style.gridTemplateColumns = `max-content repeat(${source.length}, 1.6rem)`;
    grid.setAttribute(
      "aria-label",
      `Cross-attention of ${layer.selectedOptions[0].text}, ${head.selectedOptions[0].text}: ` +
        `each French token written (rows) against the English tokens read (columns).`,
    );
    const cells = [el("span")];
    for (const s of source) cells.push(el("span", { class: "live-heat-col", text: s }));
    target.forEach((t, r) => {
      cells.push(el("span", { class: "live-heat-row", text: t }));
      source.forEach((_, c) => {
        const w = mean[r][c];
        const cell = el("span", { class: "live-heat-cell", title: `${t} → ${source[c]}: ${w.toFixed(2)}` });
        cell.style.opacity = String(Math.max(0.04, w / top));
        cells.push(cell);
      });
    });
    grid.replaceChildren(...cells);
  };
  layer.onchange = head.onchange = draw;
  draw();
  out.append(el("div", { class: "live-knobs" }, layer, head), grid, scale);
}

function render(task, result, out) {
  out.replaceChildren();
  if (task === "cross-attention") {
    out.append(el("p", { class: "live-text", lang: "fr", text: result.text }));
    heatmap(result.attention, out);
    return;
  }
  if (task === "fill-mask") out.append(bars(result, "token"));
  else if (task === "classify") out.append(bars(result, "label"));
  else if (task === "translate") out.append(el("p", { class: "live-text", lang: "fr", text: result.text }));
  else if (task === "tokenize") {
    for (const [kind, { tokens }] of Object.entries(result)) {
      const chips = el("div", { class: "live-chips" });
      chips.append(...tokens.map((t) => el("span", { class: "live-chip", text: t })));
      out.append(el("div", { class: "live-tokrow" }, el("strong", { text: `${kind} (${tokens.length})` }), chips));
    }
  }
}

// --- one widget ----------------------------------------------------------------------------
function widget(box) {
  const task = box.dataset.task;
  const spec = TASKS[task];
  const size = BYTES[task];
  const input = spec.multiline
    ? el("textarea", { class: "live-input", rows: "3", "aria-label": spec.hint })
    : el("input", { class: "live-input", type: "text", "aria-label": spec.hint });
  input.value = box.dataset.example || "";
  input.placeholder = spec.hint;
  const button = el("button", { class: "live-run", type: "button" });
  const firstLabel = `${spec.button} (loads ${mb(size.model + size.runtime)})`;
  button.textContent = firstLabel;
  button.title = `The first click downloads the model (${mb(size.model)}) and its runtime (${mb(size.runtime)}) from this site; the browser keeps them.`;
  const bar = el("progress", { max: "1", value: "0" });
  const status = el("span", { class: "live-status" });
  const progress = el("div", { class: "live-progress" }, bar, status);
  progress.hidden = true;
  const out = el("div", { class: "live-output", "aria-live": "polite" });
  const meta = el("p", { class: "live-meta" });
  const controls = el("div", { class: "live-row" }, input, button);
  let knobs = null;
  let knobRow = [];
  if (task === "generate") {
    knobs = {
      temperature: el("input", { type: "number", min: "0", max: "2", step: "0.1", value: "0.7", "data-knob": "temperature" }),
      topP: el("input", { type: "number", min: "0.05", max: "1", step: "0.05", value: "0.9", "data-knob": "topP" }),
      maxTokens: el("input", { type: "number", min: "1", max: "256", step: "1", value: "60", "data-knob": "maxTokens" }),
    };
    const label = (text, node) => el("label", {}, `${text} `, node);
    knobRow = [
      el(
        "div",
        { class: "live-knobs" },
        label("temperature (0: greedy)", knobs.temperature),
        label("top-p", knobs.topP),
        label("max tokens", knobs.maxTokens),
      ),
    ];
  }
  const title = el("p", { class: "live-title" }, el("span", { class: "live-badge", text: "live" }), ` ${spec.title}`);
  box.replaceChildren(title, controls, ...knobRow, progress, out, meta);

  let ready = false;
  let clickedAt = 0;
  let abort = null;
  const onProgress = (p) => {
    progress.hidden = false;
    const total = p.total || 1;
    bar.value = p.loaded / total;
    if (p.phase === "load") {
      status.textContent = `Loading the model (${mb(total)}) into memory…`;
      return;
    }
    const file = p.file ? `${String(p.file).split("/").pop()} ` : "";
    status.textContent = `Downloading ${file}${mb(p.loaded)} / ${mb(total)}`;
  };

  let loading = null;
  async function ensureLoaded() {
    if (ready) return;
    status.textContent = "Starting…";
    progress.hidden = false;
    loading ??= task === "generate" ? loadDecoder(onProgress) : call("load", { task }, onProgress);
    try {
      await loading;
    } catch (err) {
      loading = null; // let the reader try again
      throw err;
    }
    ready = true;
    progress.hidden = true;
    button.textContent = spec.button;
  }

  async function runOnce() {
    const text = input.value.trim();
    if (!text) throw new Error("Type some text first.");
    if (task === "fill-mask" && text.split("[MASK]").length !== 2) {
      throw new Error("Write exactly one [MASK] in the sentence, in capitals with the brackets.");
    }
    if (task !== "generate") return call("run", { task, input: text });
    out.replaceChildren(el("p", { class: "live-text" }));
    const para = out.firstChild;
    abort = new AbortController();
    const { gen, handle } = await decoder;
    const result = await gen.chat(handle, {
      messages: [{ role: "user", content: text }],
      temperature: Number(knobs.temperature.value),
      topP: Number(knobs.topP.value),
      maxTokens: Number(knobs.maxTokens.value),
      onToken: (piece) => {
        if (!para.textContent && !box.dataset.firstTokenMs) {
          box.dataset.firstTokenMs = String(Math.round(performance.now() - clickedAt));
        }
        para.textContent += piece;
      },
      signal: abort.signal,
    });
    abort = null;
    return result;
  }

  button.addEventListener("click", async () => {
    if (abort) {
      abort.abort();
      return;
    }
    if (location.protocol === "file:") return; // the page's notice says what to do
    const cold = !ready;
    clickedAt = performance.now();
    box.dataset.state = "running";
    button.disabled = true; // until the model is loaded (then Stop, for SmolLM2)
    try {
      await ensureLoaded();
      if (task === "generate") {
        button.textContent = "Stop";
        button.disabled = false;
      }
      const start = performance.now();
      const result = await runOnce();
      const now = performance.now();
      if (task !== "generate") render(task, result, out);
      box.dataset.result = JSON.stringify(result);
      box.dataset.runMs = String(Math.round(now - start));
      if (cold) box.dataset.firstMs = String(Math.round(now - clickedAt));
      const loadNote = cold ? `First result ${((now - clickedAt) / 1000).toFixed(1)} s after the click, loading included; ` : "";
      const speed =
        task === "generate"
          ? `${result.tokens} tokens at ${result.tokensPerSecond.toFixed(1)} tokens/s, first after ${(result.firstTokenMs / 1000).toFixed(1)} s.`
          : `this run ${Math.round(now - start)} ms.`;
      meta.textContent = `${loadNote}${speed} It ran in your browser: your text went nowhere.`;
      box.dataset.state = "done";
    } catch (err) {
      progress.hidden = true;
      out.replaceChildren(el("p", { class: "live-error", text: String(err.message || err) }));
      box.dataset.state = "error";
    } finally {
      abort = null;
      button.disabled = false;
      if (ready) button.textContent = spec.button;
      else button.textContent = firstLabel;
    }
  });
}

const boxes = [...document.querySelectorAll("div.live-model")];
boxes.forEach(widget);
if (location.protocol === "file:" && boxes.length) {
  const note = el("p", {
    class: "live-error",
    text:
      "The live models below need the site served over HTTP (browsers block them in a page opened as a file): " +
      "run python -m http.server -d docs/_build/html and open http://localhost:8000.",
  });
  boxes[0].before(note);
  for (const b of document.querySelectorAll(".live-run")) b.disabled = true;
}
})();
