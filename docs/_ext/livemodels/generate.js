// generate.js: SmolLM2-135M-Instruct (GGUF, Q4_1) generating text in the reader's browser.
//
// The engine is wllama 3.13.0 (llama.cpp compiled to WebAssembly; its llama-server core
// does the chat template, sampling and stop tokens). Everything comes from the site's own
// origin: wllama's esm/index.js, its wllama.wasm and the GGUF, three URLs the caller gives.
// Nothing else is fetched: no Hugging Face hub, no CDN.
//
// It runs on one thread on the CPU: static hosts cannot send the COOP/COEP headers that
// threads (SharedArrayBuffer) need, and WebGPU is switched off (plain wasm is what every
// reader's browser has, and what was measured against torch's greedy output).
//
// The GGUF is kept in the browser's Origin Private File System by wllama, so a second visit
// starts without downloading it; where OPFS is missing (an http:// page that isn't
// localhost, some private windows) it is fetched into memory instead.
//
//   const gen = await import("./generate.js");
//   const h = await gen.loadDecoder({ wllamaModuleUrl, wasmUrl, ggufUrl, onProgress });
//   const r = await gen.chat(h, { messages: [{ role: "user", content: "Hi" }], temperature: 0,
//                                 maxTokens: 64, onToken: (t) => out.append(t), signal });
//
// Needs WebAssembly Memory64 and, outside Firefox, JSPI (Chrome/Edge 137+, Firefox 134+).
// wllama's fallback for other browsers ("compat mode") downloads a second build from
// jsDelivr, so it is switched off: there loadDecoder rejects instead of leaving the site.

const N_CTX = 2048; // tokens of context: prompt + answer (SmolLM2 was trained on 8192)

const absolute = (url) => new URL(url, document.baseURI).href;

const hasOPFS = () => typeof navigator.storage?.getDirectory === "function";

// Sampling for llama-server: temperature 0 is pure argmax. Otherwise only temperature and
// top-p act: llama-server's defaults of top_k 40 and min_p 0.05 are switched off.
const sampling = (temperature, topP) =>
  temperature > 0
    ? { temperature, top_p: topP, top_k: 0, min_p: 0 }
    : { temperature: 0, top_k: 1 }; // either alone is greedy in llama.cpp

/** Download (or take from OPFS) and load the GGUF; resolves to a handle for chat()/complete(). */
export async function loadDecoder({ wllamaModuleUrl, wasmUrl, ggufUrl, onProgress = () => {} }) {
  const { Wllama, LoggerWithoutDebug } = await import(absolute(wllamaModuleUrl));
  const url = absolute(ggufUrl);
  const opfs = hasOPFS();
  const wllama = new Wllama(
    // "default" is the only wasm in wllama 3.1+ (one build for one or several threads).
    { default: absolute(wasmUrl) },
    {
      logger: LoggerWithoutDebug,
      // Without OPFS wllama's own cache manager throws in the constructor; it goes unused then.
      ...(opfs ? {} : { cacheManager: {} }),
    },
  );
  wllama.setCompat(null); // never the jsDelivr build (see the header)

  const download = ({ loaded, total }) => onProgress({ phase: "download", loaded, total });
  let model = null;
  if (opfs) {
    try {
      // Cached copy if OPFS holds a complete one for this URL (no request at all), else a HEAD
      // and a GET of the URL, streamed into OPFS. A changed file needs a new URL (?v=...).
      model = await wllama.modelManager.getModelOrDownload({ url }, { progressCallback: download });
    } catch (err) {
      console.warn("generate.js: OPFS cache unusable, downloading into memory", err);
    }
  }
  const blobs = model ? await model.open() : [await fetchBlob(url, download)];

  const total = blobs.reduce((n, b) => n + b.size, 0);
  onProgress({ phase: "load", loaded: 0, total });
  await wllama.loadModel(blobs, {
    n_threads: 1, // no SharedArrayBuffer on a static host: wllama would otherwise try threads
    n_gpu_layers: 0, // CPU only; also hides navigator.gpu from wllama's worker
    n_ctx: N_CTX,
    n_parallel: 1, // one conversation at a time, so its prompt cache is reused turn to turn
    jinja: true, // the GGUF's own Jinja chat template (with SmolLM2's default system message)
    log_level: 3, // llama.cpp warnings and errors only
  });
  onProgress({ phase: "load", loaded: total, total });
  return { wllama, url };
}

async function fetchBlob(url, onProgress) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const parts = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    onProgress({ loaded, total });
  }
  return new Blob(parts);
}

/**
 * A chat turn, streamed. messages: [{role: "system"|"user"|"assistant", content}], formatted
 * by the GGUF's chat template. temperature 0 is greedy. Stops at the model's end-of-turn
 * token, at maxTokens, or when signal aborts (then the text so far comes back, aborted: true).
 * Text streams to onToken one token at a time. tokens counts the end-of-turn token too.
 * firstTokenMs: from this call to the first streamed piece. timings: llama.cpp's own
 * (prompt_n, prompt_ms, predicted_n, predicted_ms, ...), null after an abort.
 */
export async function chat(
  handle,
  { messages, temperature = 0, topP = 0.9, maxTokens = 256, onToken = () => {}, signal } = {},
) {
  const start = performance.now();
  let text = "";
  let firstTokenMs = null;
  let lastTokenMs = null;
  let pieces = 0;
  let timings = null;
  let aborted = false;
  try {
    await handle.wllama.createChatCompletion({
      messages,
      max_tokens: maxTokens,
      ...sampling(temperature, topP),
      stream: true,
      abortSignal: signal,
      onData: (chunk) => {
        if (chunk.timings) timings = chunk.timings;
        const piece = chunk.choices?.[0]?.delta?.content;
        if (!piece) return;
        lastTokenMs = performance.now() - start;
        firstTokenMs ??= lastTokenMs;
        pieces += 1;
        text += piece;
        onToken(piece);
      },
    });
  } catch (err) {
    if (!signal?.aborted) throw err;
    aborted = true;
  }
  // llama.cpp's own count and rate (decoding only: the first token comes with the prompt). An
  // aborted turn has no timings: count the streamed pieces (one per token, nearly always).
  const tokens = timings?.predicted_n ?? pieces;
  const tokensPerSecond = timings
    ? timings.predicted_per_second
    : pieces > 1 ? (1000 * (pieces - 1)) / (lastTokenMs - firstTokenMs) : 0;
  return { text, tokens, firstTokenMs, tokensPerSecond, aborted, timings };
}

/**
 * Greedy continuation of an already formatted prompt (special tokens such as <|im_start|>
 * are parsed; no BOS is added for SmolLM2). For parity tests against torch's generate().
 * tokenIds: the generated ids, ending with the end-of-turn id (<|im_end|> = 2) when that is
 * what stopped it, as torch's generate() does; text leaves that token out.
 */
export async function complete(handle, { prompt, maxTokens = 20 }) {
  const response = await handle.wllama.createCompletion({
    prompt,
    max_tokens: maxTokens,
    ...sampling(0),
    n_probs: 1, // the answer then lists each generated token, with its id (no tokenize() in 3.x)
  });
  const choice = response.choices[0];
  return { text: choice.text, tokenIds: choice.logprobs.content.map((t) => t.id) };
}
