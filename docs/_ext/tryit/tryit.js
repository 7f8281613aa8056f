// Try it yourself: the page's code cells tagged `try-it` run in the reader's browser.
//
// Each such cell (myst-nb gives it the class `tag_try-it`) gets Run and Reset buttons;
// its code becomes editable in place. Python (Pyodide) is loaded on the first Run, from
// this site only (`data-pyodide`, relative to _static/), with the packages of
// `data-packages` (names from Pyodide's lock file, or wheel paths relative to _static/).
// The cells of a page share one namespace: Run first runs every earlier live cell that
// has not run yet since the page was loaded. Timings are kept in `window.tryit` for
// tests and curious readers.
(() => {
  "use strict";

  const script = document.currentScript;
  const staticRoot = new URL("../", script.src); // this file is _static/tryit/tryit.js
  const indexURL = new URL(script.dataset.pyodide, staticRoot).href;
  const packages = JSON.parse(script.dataset.packages).map((p) =>
    p.endsWith(".whl") ? new URL(p, staticRoot).href : p,
  );
  const runnerURL = new URL("tryit/runner.py", staticRoot).href;
  const state = { bootMs: null, bootSteps: {}, runs: [], cells: [] };
  window.tryit = state;

  let booting = null; // the promise of the one Pyodide of this page
  let runner = null; // runner.py's run() and the page's namespace, in Pyodide

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  function setStatus(cell, text, kind = "") {
    cell.status.textContent = text;
    cell.status.dataset.kind = kind;
  }

  function setAll(text, kind) {
    state.cells.forEach((cell) => setStatus(cell, text, kind));
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const tag = el("script", { src, onload: resolve });
      tag.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(tag);
    });
  }

  function boot() {
    if (booting) return booting;
    booting = (async () => {
      if (location.protocol === "file:") {
        throw new Error(
          "browsers do not load Python into a page opened as a file: serve the site, " +
            "e.g. python -m http.server -d docs/_build/html, and open http://localhost:8000",
        );
      }
      const start = performance.now();
      setAll("Loading Python (Pyodide: about 16 MB the first time, then cached)…", "busy");
      const step = (name) => {
        state.bootSteps[name] = performance.now() - start;
      };
      const runnerSource = fetch(runnerURL).then((response) => response.text());
      await loadScript(indexURL + "pyodide.js");
      step("loader");
      const pyodide = await window.loadPyodide({ indexURL });
      step("python");
      const failures = [];
      await pyodide.loadPackage(packages, {
        messageCallback: () => {}, // "Loading numpy" lines: the status line says it
        errorCallback: (message) => failures.push(message),
      });
      if (failures.length) throw new Error(failures.join("; "));
      step("packages");
      const source = await runnerSource;
      const module = pyodide.globals.get("dict")();
      pyodide.runPython(source, { globals: module, filename: "runner.py" });
      pyodide.runPython("install_display_shim()", { globals: module });
      runner = { run: module.get("run"), namespace: module.get("new_namespace")() };
      state.bootMs = performance.now() - start;
      setAll(`Python ready (${(state.bootMs / 1000).toFixed(1)} s)`, "ready");
    })();
    booting.catch((error) => setAll(`Python could not start: ${error.message}`, "error"));
    return booting;
  }

  // -- Markdown results (tables and inline code: what the pages' cells return) --------

  const escapeHtml = (text) =>
    text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  function inline(text) {
    let html = "";
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === "\\" && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1])) {
        html += escapeHtml(text[i + 1]);
        i += 2;
      } else if (c === "`") {
        const fence = text.slice(i).match(/^`+/)[0];
        const end = text.indexOf(fence, i + fence.length);
        if (end < 0) {
          html += escapeHtml(fence);
          i += fence.length;
          continue;
        }
        let code = text.slice(i + fence.length, end);
        if (code.length > 1 && code.startsWith(" ") && code.endsWith(" ") && code.trim()) {
          code = code.slice(1, -1);
        }
        // One span.pre per word, as docutils writes it, so long code wraps between words.
        const words = code.split(" ").map((w) => `<span class="pre">${escapeHtml(w)}</span>`);
        html += `<code class="docutils literal notranslate">${words.join(" ")}</code>`;
        i = end + fence.length;
      } else if (text.startsWith("**", i) && text.indexOf("**", i + 2) > i + 2) {
        const end = text.indexOf("**", i + 2);
        html += `<strong>${inline(text.slice(i + 2, end))}</strong>`;
        i = end + 2;
      } else {
        html += escapeHtml(c);
        i += 1;
      }
    }
    return html;
  }

  function tableCells(line) {
    // GFM: `\|` is a pipe inside a cell (code spans too); other escapes stay for inline().
    const cells = [""];
    const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
    for (let i = 0; i < body.length; i += 1) {
      if (body[i] === "\\" && body[i + 1] === "|") {
        cells[cells.length - 1] += "|";
        i += 1;
      } else if (body[i] === "\\") {
        cells[cells.length - 1] += body.slice(i, i + 2);
        i += 1;
      } else if (body[i] === "|") {
        cells.push("");
      } else {
        cells[cells.length - 1] += body[i];
      }
    }
    return cells.map((cell) => cell.trim());
  }

  function markdown(text) {
    const box = el("div", { className: "output text_markdown" });
    for (const block of text.split(/\n\s*\n/)) {
      const lines = block.split("\n").filter((line) => line.trim());
      const rule = /^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$/;
      if (lines.length >= 2 && lines[0].trim().startsWith("|") && rule.test(lines[1].trim())) {
        const align = tableCells(lines[1]).map((r) =>
          r.endsWith(":") ? (r.startsWith(":") ? "center" : "right") : "left",
        );
        const row = (cells, tag) =>
          `<tr>${cells.map((c, k) => `<${tag} class="text-${align[k] || "left"}">${inline(c)}</${tag}>`).join("")}</tr>`;
        const head = row(tableCells(lines[0]), "th");
        const rows = lines.slice(2).map((line) => row(tableCells(line), "td"));
        const table = el("table", { className: "table" });
        table.innerHTML = `<thead>${head}</thead><tbody>${rows.join("")}</tbody>`;
        box.append(el("div", { className: "pst-scrollable-table-container" }, table));
      } else if (lines.length) {
        const para = el("p");
        para.innerHTML = inline(lines.join(" "));
        box.append(para);
      }
    }
    return box;
  }

  // -- running a cell -------------------------------------------------------------

  const pre = (text, className) =>
    el("div", { className }, el("div", { className: "highlight" }, el("pre", {}, text)));

  function render(cell, report) {
    const out = cell.output;
    out.replaceChildren();
    if (report.stdout) out.append(pre(report.stdout, "output stream highlight-myst-ansi"));
    if (report.stderr) out.append(pre(report.stderr, "output stderr highlight-myst-ansi"));
    for (const shown of [...report.displays, report.result].filter(Boolean)) {
      out.append(
        "markdown" in shown ? markdown(shown.markdown) : pre(shown.plain, "output text_plain highlight-myst-ansi"),
      );
    }
    if (report.error) out.append(pre(report.error, "output traceback highlight-ipythontb"));
    out.hidden = false;
    if (cell.staticOutput) cell.staticOutput.hidden = true;
  }

  // The code's text, from the DOM alone (innerText is empty inside a closed <details>):
  // a line break typed into it may be a <br>, or a <div> per line, which textContent drops.
  function codeOf(cell) {
    const copy = cell.code.cloneNode(true);
    copy.querySelectorAll("br").forEach((br) => br.replaceWith("\n"));
    copy.querySelectorAll("div, p").forEach((line) => line.before("\n"));
    return copy.textContent;
  }

  async function execute(cell, clicked) {
    const code = codeOf(cell).replace(/\n$/, "");
    setStatus(cell, "Running…", "busy");
    // Let "Running…" show before Python blocks the page (a hidden tab has no frames).
    await new Promise((resolve) => {
      requestAnimationFrame(() => setTimeout(resolve, 0));
      setTimeout(resolve, 100);
    });
    const start = performance.now();
    const report = JSON.parse(runner.run(code, runner.namespace, `<try-it cell ${cell.index + 1}>`));
    const ms = performance.now() - start;
    render(cell, report);
    // ms: Python's run alone; totalMs: from the click to the output on the page.
    state.runs.push({ cell: cell.index, ms, totalMs: performance.now() - clicked, report });
    cell.ran = true;
    cell.root.dataset.tryitState = report.error ? "error" : "ran";
    setStatus(
      cell,
      report.error ? `Ran in ${ms.toFixed(0)} ms: it raised an error (below)` : `Ran in ${ms.toFixed(0)} ms`,
      report.error ? "error" : "ready",
    );
    return !report.error;
  }

  async function run(cell) {
    const clicked = performance.now();
    state.cells.forEach((c) => { c.runButton.disabled = true; });
    try {
      await boot();
      for (const earlier of state.cells.slice(0, cell.index)) {
        if (!earlier.ran && !(await execute(earlier, clicked))) {
          setStatus(cell, `Not run: the live cell above (${earlier.index + 1}) raised an error`, "error");
          return;
        }
      }
      await execute(cell, clicked);
    } catch (error) {
      const what = runner ? "The run failed" : "Python could not start";
      setStatus(cell, `${what}: ${error.message}`, "error");
    } finally {
      state.cells.forEach((c) => { c.runButton.disabled = false; });
    }
  }

  function reset(cell) {
    cell.code.innerHTML = cell.originalHTML;
    cell.output.hidden = true;
    cell.output.replaceChildren();
    if (cell.staticOutput) cell.staticOutput.hidden = false;
    cell.root.dataset.tryitState = "reset";
    setStatus(cell, runner ? "Code and output restored" : "Code restored", "");
  }

  function editableMode() {
    const probe = document.createElement("div");
    probe.contentEditable = "plaintext-only";
    return probe.contentEditable === "plaintext-only" ? "plaintext-only" : "true";
  }

  function setUp() {
    const mode = editableMode();
    document.querySelectorAll("div.cell.tag_try-it").forEach((root, index) => {
      const input = root.querySelector(".cell_input");
      const code = input && input.querySelector("pre");
      if (!code) return;
      const runButton = el("button", { type: "button", className: "tryit-run", textContent: "▶ Run" });
      const resetButton = el("button", { type: "button", className: "tryit-reset", textContent: "Reset" });
      const status = el("span", { className: "tryit-status", role: "status" });
      const bar = el("div", { className: "tryit-bar" }, runButton, resetButton, status);
      const output = el("div", { className: "tryit-output cell_output docutils container", hidden: true });
      const staticOutput = root.querySelector(":scope > .cell_output"); // the build's output
      // A hidden input (hide-input) sits in a <details>: the bar goes below it, visible.
      const anchor = input.closest("details") || input;
      anchor.after(bar, output);
      code.contentEditable = mode;
      code.spellcheck = false;
      code.classList.add("tryit-code");
      code.setAttribute("aria-label", "Python code: edit it, then press Run (Shift+Enter)");
      const cell = {
        index,
        root,
        code,
        originalHTML: code.innerHTML,
        runButton,
        status,
        output,
        staticOutput,
        ran: false,
      };
      state.cells.push(cell);
      runButton.addEventListener("click", () => run(cell));
      resetButton.addEventListener("click", () => reset(cell));
      code.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && event.shiftKey) {
          event.preventDefault();
          run(cell);
        }
      });
      root.dataset.tryitState = "idle";
      setStatus(cell, "Live: edit the code and press Run (Python loads on first Run)");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
