// Live models, the worker: transformers.js runs the site's ONNX models here, off the page's
// main thread, so the page stays responsive while a model loads and runs.
//
// Messages in:  {id, op: "init", urls}            the runtime's URLs (first message)
//               {id, op: "load", task}            fetch and start the task's model(s)
//               {id, op: "run", task, input}      run it on the reader's input
// Messages out: {id, kind: "progress", file, loaded, total}
//               {id, kind: "done", value} | {id, kind: "error", message}
//
// Everything comes from the site's origin: remote models are off, the models folder is a
// path on this origin (transformers.js skips its local lookup when given a full URL), and
// onnxruntime-web's wasm is named explicitly (otherwise it is fetched from a CDN).

let tf = null; // the transformers.js module
let modelsUrl = null; // the site's models folder
const loaded = {}; // task -> what run() needs

async function init(urls) {
  tf = await import(urls.transformers);
  modelsUrl = urls.models;
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = new URL(urls.models).pathname;
  tf.env.backends.onnx.wasm.wasmPaths = { mjs: urls.ortMjs, wasm: urls.ortWasm };
  tf.env.backends.onnx.wasm.numThreads = 1; // static hosts cannot set COOP/COEP
  return true;
}

async function load(task, progress) {
  // The BERTs ship int8 weights (model_quantized.onnx) behind DequantizeLinear nodes: this
  // session entry turns them into fp32 constants once, at load, instead of fusing them into
  // int8 products (export.py's docstring says why). The T5 ships fp16 weights (model.onnx).
  const session_options = { extra: { session: { disable_quant_qdq: "1" } } };
  const opts = { dtype: "q8", session_options, progress_callback: progress };
  if (task === "fill-mask") {
    loaded[task] = await tf.pipeline("fill-mask", "fill-mask", opts);
  } else if (task === "classify") {
    loaded[task] = await tf.pipeline("text-classification", "topic", opts);
  } else if (task === "translate" || task === "cross-attention") {
    const tok = await tf.AutoTokenizer.from_pretrained("t5", opts);
    const model = await tf.AutoModelForSeq2SeqLM.from_pretrained("t5", { ...opts, dtype: "fp32" });
    const config = await (await fetch(`${modelsUrl}t5/generation_config.json`)).json();
    loaded[task] = { tok, model, config };
  } else if (task === "tokenize") {
    const names = {
      "WordPiece (MiniLM, BERT's)": "fill-mask",
      "SentencePiece (our T5)": "t5",
      "byte-level BPE (SmolLM2, GPT-2's)": "smollm2",
    };
    const toks = {};
    for (const [kind, folder] of Object.entries(names)) {
      toks[kind] = await tf.AutoTokenizer.from_pretrained(folder, opts);
    }
    loaded[task] = toks;
  } else {
    throw new Error(`unknown task ${task}`);
  }
}

// Greedy decoding as the build's generate() does it with the shipped generation_config:
// argmax, no 3-gram repeated, stop at </s> or after max_new_tokens. The exported decoder
// has no key/value cache, so each step re-reads the whole prefix (cheap for a 7M model).
function bannedTokens(seq, n) {
  const banned = new Set();
  if (!n || seq.length + 1 < n) return banned;
  const tail = seq.slice(seq.length - n + 1);
  for (let i = 0; i + n <= seq.length; i++) {
    if (tail.every((t, j) => seq[i + j] === t)) banned.add(seq[i + n - 1]);
  }
  return banned;
}

// id -> token string, from the tokenizer's vocabulary (built once per tokenizer).
const tokenTables = new WeakMap();
function tokenNames(tok) {
  if (!tokenTables.has(tok)) {
    const vocab = tok.get_vocab();
    const names = [];
    for (const [token, id] of vocab instanceof Map ? vocab : Object.entries(vocab)) names[id] = token;
    tokenTables.set(tok, names);
  }
  return tokenTables.get(tok);
}

// The exported decoder also gives its cross-attention weights (cross_attentions.<layer>,
// [1, heads, rows, source]); the last step's cover every row: what the widget draws.
async function translate({ tok, model, config }, text) {
  const enc = tok(text);
  const seq = [config.decoder_start_token_id];
  const limit = config.max_new_tokens;
  let cross = null;
  for (let step = 0; step < limit; step++) {
    const decoder_input_ids = new tf.Tensor("int64", BigInt64Array.from(seq.map(BigInt)), [1, seq.length]);
    const outputs = await model({ ...enc, decoder_input_ids });
    const { logits } = outputs;
    cross = Object.keys(outputs)
      .filter((k) => k.startsWith("cross_attentions"))
      .sort()
      .map((k) => outputs[k]);
    const [, len, vocab] = logits.dims;
    const row = logits.data.subarray((len - 1) * vocab, len * vocab);
    const banned = bannedTokens(seq, config.no_repeat_ngram_size);
    let best = -1;
    for (let v = 0; v < vocab; v++) {
      if (!banned.has(v) && (best < 0 || row[v] > row[best])) best = v;
    }
    seq.push(best);
    if (best === config.eos_token_id) break;
  }
  const ids = seq.slice(1);
  const source = Array.from(enc.input_ids.data, Number);
  // Token strings as the page draws them: SentencePiece's word-start mark shown as ␣.
  const names = tokenNames(tok);
  const pieces = (ids) => ids.map((i) => (names[i] ?? "?").replaceAll("▁", "␣"));
  // [layer][head][row][source], rows: the tokens written (row r chose ids[r])
  const weights = cross.map((t) => {
    const [, heads, rows, cols] = t.dims;
    return Array.from({ length: heads }, (_, h) =>
      Array.from({ length: rows }, (_, r) => Array.from(t.data.subarray((h * rows + r) * cols, (h * rows + r + 1) * cols))),
    );
  });
  return {
    text: tok.decode(seq, { skip_special_tokens: true }),
    ids,
    attention: { source: pieces(source), target: pieces(ids), weights },
  };
}

async function run(task, input) {
  const what = loaded[task];
  if (task === "fill-mask") {
    const top = await what(input, { top_k: 5 });
    return top.map((r) => ({ token: r.token_str, score: r.score }));
  }
  if (task === "classify") {
    const scores = await what(input, { top_k: null });
    return scores.map((r) => ({ label: r.label, score: r.score }));
  }
  if (task === "translate" || task === "cross-attention") return translate(what, input);
  if (task === "tokenize") {
    const out = {};
    for (const [kind, tok] of Object.entries(what)) {
      out[kind] = { tokens: tok.tokenize(input), ids: tok.encode(input) };
    }
    return out;
  }
  throw new Error(`unknown task ${task}`);
}

// One message at a time, in order: a load waits for init, a run for its load.
let queue = Promise.resolve();
self.onmessage = ({ data }) => {
  queue = queue.then(() => handle(data));
};

let initError = null; // a failed init fails every later load and run with its own message

async function handle(data) {
  const { id, op } = data;
  const progress = (p) => {
    if (p.status === "progress") {
      self.postMessage({ id, kind: "progress", file: p.file, loaded: p.loaded, total: p.total });
    }
  };
  try {
    let value = null;
    if (op === "init") value = await init(data.urls).catch((err) => Promise.reject((initError = err)));
    else if (initError) throw initError;
    else if (op === "load") value = await load(data.task, progress);
    else if (op === "run") value = await run(data.task, data.input);
    self.postMessage({ id, kind: "done", value });
  } catch (err) {
    self.postMessage({ id, kind: "error", message: String(err && err.message ? err.message : err) });
  }
}
