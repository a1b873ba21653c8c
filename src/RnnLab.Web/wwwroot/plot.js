// A compact SVG plotter for the lesson: line and point series, linear or log axes (decade ticks), vertical markers,
// horizontal reference lines, an optional unit circle, an HTML legend, a hover read-out, a data table as the plot's
// text alternative, and SVG/PNG/CSV downloads. The SVG is drawn at the container's pixel size (no viewBox scaling),
// so its text has the same size on a phone as on a laptop. Every drawn plot keeps its data: the element's
// data-series attribute and window.__plots[id] hold the series exactly as received from the server.
"use strict";

window.__plots = window.__plots || {};

const Plot = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const M = { l: 62, r: 14, t: 14, b: 46 };
  // Okabe & Ito's colour-blind-safe palette, each colour with its own dash pattern so no two series rely on hue alone.
  const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000"];
  const DASHES = ["none", "7 4", "2 3", "10 3 2 3", "4 2", "1 2", "12 4"];
  const REFERENCE = "#555555";
  const SUP = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };

  const el = (name, attrs, parent) => {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  };
  // The server writes NaN and ±∞ as null (a NaN here); a log10 series whose norm is exactly 0 at some indices says so
  // in zeroAt (the answer's "<key>ZeroAt"), and yAt gives −∞ there.
  const num = (v) => (typeof v === "number" ? v : NaN);
  const zeroSet = (s) => s._zeros || (s._zeros = new Set(s.log10 ? s.zeroAt || [] : []));
  const yAt = (s, j) => (zeroSet(s).has(j) ? -Infinity : num(s.y[j]));
  // A series with a note (the answer's "<key>Note") has values the server refused and wrote as null: in text they
  // read as refused, not as NaN, and the note under the plot says why.
  const REFUSED = "not shown (see the note)";
  const valueText = (s, v) => (s.note && Number.isNaN(v) ? REFUSED : fmt(v));

  // "x_{T−k}" and "ρ^k" as real sub- and superscripts: in HTML as <sub>/<sup>, in SVG as shifted tspans.
  function parts(text) {
    const out = [];
    const re = /([_^])(\{([^}]*)\}|(\S))/g;
    let last = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > last) out.push([text.slice(last, m.index), ""]);
      out.push([m[3] !== undefined ? m[3] : m[4], m[1] === "_" ? "sub" : "sup"]);
      last = re.lastIndex;
    }
    if (last < text.length) out.push([text.slice(last), ""]);
    return out;
  }
  const plain = (text) => parts(text).map(([t]) => t).join("");
  function richHtml(parent, text) {
    for (const [t, kind] of parts(text)) {
      if (!kind) parent.appendChild(document.createTextNode(t));
      else { const s = document.createElement(kind); s.textContent = t; parent.appendChild(s); }
    }
    return parent;
  }
  function richSvg(textEl, text) {
    for (const [t, kind] of parts(text)) {
      const span = el("tspan", kind ? { "baseline-shift": kind === "sub" ? "sub" : "super", "font-size": "75%" } : {}, textEl);
      span.textContent = t;
    }
    return textEl;
  }

  // An axis maps values to a transformed space t (log10 on a log axis) and then to pixels. A series whose values are
  // already log10 (log10: true) skips the transform.
  const transform = (kind) => (kind === "log" ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v);
  function axis(kind, ts, lo, hi, opts = {}) {
    ts = ts.filter(Number.isFinite);
    const fixed = opts.fixed;
    let a = fixed ? fixed[0] : Math.min(...ts), b = fixed ? fixed[1] : Math.max(...ts);
    if (!Number.isFinite(a) || !Number.isFinite(b)) { a = 0; b = 1; }
    const logLike = kind !== "linear";
    if (logLike && b - a < 1) { const mid = (a + b) / 2; a = mid - 0.5; b = mid + 0.5; }   // at least one decade
    if (!logLike && b - a <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1)) { a -= Math.abs(a) * 0.1 + 1; b += Math.abs(b) * 0.1 + 1; }
    let ticks;
    if (logLike && b - a >= 1.5) {
      const step = Math.max(1, Math.ceil((b - a) / 7));
      a = Math.floor(a); b = Math.ceil(b);
      ticks = []; for (let t = Math.ceil(a / step) * step; t <= b + 1e-9; t += step) ticks.push(t);
    } else if (logLike) {
      ticks = [];   // 1-2-5 values inside a short log range
      for (let e = Math.floor(a) - 1; e <= Math.ceil(b); e++)
        for (const m of [1, 2, 5]) { const t = Math.log10(m) + e; if (t >= a - 1e-9 && t <= b + 1e-9) ticks.push(t); }
    } else {
      ticks = niceTicks(a, b, opts.integer, opts.maxTicks || 7);
      if (fixed) ticks = ticks.filter((t) => t >= a - 1e-9 && t <= b + 1e-9);
      else { a = Math.min(a, ticks[0]); b = Math.max(b, ticks[ticks.length - 1]); }
    }
    if (opts.pad) { const p = (b - a) * opts.pad; b += p; }   // room after the last point, e.g. for a marker there
    const decades = b - a >= 1.5;
    const label = (t) => (logLike ? (decades ? pow10(t) : fmt(Math.pow(10, t))) : fmt(t));
    return { a, b, ticks, label, px: (t) => lo + ((t - a) / (b - a)) * (hi - lo), inv: (p) => a + ((p - lo) / (hi - lo)) * (b - a) };
  }

  function niceTicks(a, b, integer, maxTicks) {
    const span = b - a, raw = span / (maxTicks - 1), mag = Math.pow(10, Math.floor(Math.log10(raw)));
    let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= maxTicks) || 10 * mag;
    if (integer) step = Math.max(1, Math.round(step));
    const out = [];
    for (let t = Math.floor(a / step) * step; t <= b + step * 0.5; t += step) out.push(+t.toPrecision(12));
    return out;
  }

  const pow10 = (t) => "10" + String(Math.round(t)).split("").map((c) => SUP[c]).join("");
  function fmt(v) {
    if (typeof v !== "number") return String(v);
    if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "∞" : "−∞";
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e", "×10^").replace(/\^\+?(-?\d+)/, (_, e) => pow10(+e).slice(2));
    return String(+v.toPrecision(4));
  }

  // The plot's size in CSS pixels: the container's width, at most a share of the viewport's height, so that a
  // plot and its axes fit on screen together.
  function size(container, square) {
    const width = Math.max(240, Math.floor(container.clientWidth - 8));
    const tall = Math.max(200, Math.floor(window.innerHeight * (square ? 0.6 : 0.5)));
    if (square) { const s = Math.min(width, tall + M.b); return { w: s, h: s }; }
    return { w: width, h: Math.min(Math.round(width * 0.6), tall) };
  }

  // spec: { xLabel, yLabel, xScale, yScale ("linear" | "log"), yRange, xInteger, series: [{ name, x, y, log10, zeroAt,
  //         style, reference, ghost, unfitted, color }], markers: [{ x, label }], hlines: [{ y, label }], unitCircle, params }
  // A reference series (a formula drawn beside a measurement), a ghost (the previous run) and an unfitted series (a
  // run that diverged, which would squeeze every other curve into a sliver) never widen the axes.
  function draw(container, spec) {
    container.innerHTML = "";
    container._spec = spec;
    const series = spec.series || [];
    const square = !!spec.unitCircle;
    const { w, h } = size(container, square);
    const xt = transform(spec.xScale || "linear"), yt = transform(spec.yScale || "linear");
    const tx = (s) => s.x.map((v) => xt(num(v)));
    const ty = (s) => s.y.map((v, j) => (s.log10 ? yAt(s, j) : yt(yAt(s, j))));
    const xs = [], ys = [];
    series.filter((s) => !s.reference && !s.ghost).forEach((s) => { xs.push(...tx(s)); if (!s.unfitted) ys.push(...ty(s)); });
    if (!ys.some(Number.isFinite)) series.filter((s) => !s.reference && !s.ghost).forEach((s) => ys.push(...ty(s)));
    if (!xs.some(Number.isFinite)) series.forEach((s) => { xs.push(...tx(s)); ys.push(...ty(s)); });
    (spec.markers || []).forEach((m) => xs.push(xt(num(m.x))));
    (spec.hlines || []).forEach((l) => ys.push(yt(num(l.y))));
    let xFixed = null, yFixed = spec.yRange || null;
    if (square) {
      // A symmetric plane: the unit circle at the centre, every eigenvalue inside.
      const r = Math.max(1.1, ...xs.map(Math.abs).filter(Number.isFinite), ...ys.map(Math.abs).filter(Number.isFinite)) * 1.08;
      xFixed = [-r, r]; yFixed = [-r, r];
    }
    const markerAtEnd = (spec.markers || []).length > 0;
    const X = axis(spec.xScale || "linear", xs, M.l, w - M.r, { fixed: xFixed, integer: spec.xInteger, pad: markerAtEnd ? 0.03 : 0, maxTicks: Math.max(3, Math.floor((w - M.l) / 70)) });
    const Y = axis(spec.yScale || "linear", ys, h - M.b, M.t, { fixed: yFixed, maxTicks: Math.max(3, Math.floor(h / 45)) });
    const svg = el("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, xmlns: NS, role: "img", class: "plot-svg" }, container);
    const title = el("title", {}, svg);
    title.textContent = summary(spec, series);
    svg.setAttribute("aria-label", title.textContent);

    const grid = el("g", { class: "grid" }, svg);
    X.ticks.forEach((t) => {
      const x = X.px(t);
      el("line", { x1: x, x2: x, y1: M.t, y2: h - M.b }, grid);
      el("text", { x, y: h - M.b + 17, "text-anchor": "middle", class: "tick" }, svg).textContent = X.label(t);
    });
    Y.ticks.forEach((t) => {
      const y = Y.px(t);
      el("line", { x1: M.l, x2: w - M.r, y1: y, y2: y }, grid);
      el("text", { x: M.l - 6, y: y + 4, "text-anchor": "end", class: "tick" }, svg).textContent = Y.label(t);
    });
    el("rect", { x: M.l, y: M.t, width: w - M.l - M.r, height: h - M.t - M.b, class: "frame" }, svg);
    richSvg(el("text", { x: (M.l + w - M.r) / 2, y: h - 10, "text-anchor": "middle", class: "axis-label" }, svg), spec.xLabel);
    const my = (M.t + h - M.b) / 2;
    richSvg(el("text", { x: 15, y: my, "text-anchor": "middle", class: "axis-label", transform: `rotate(-90 15 ${my})` }, svg), spec.yLabel);

    const clipId = "clip-" + container.id;
    el("rect", { x: M.l, y: M.t, width: w - M.l - M.r, height: h - M.t - M.b }, el("clipPath", { id: clipId }, el("defs", {}, svg)));
    const body = el("g", { "clip-path": `url(#${clipId})` }, svg);

    if (square) {
      const cx = X.px(0), cy = Y.px(0);
      el("line", { x1: M.l, x2: w - M.r, y1: cy, y2: cy, class: "zero" }, body);
      el("line", { x1: cx, x2: cx, y1: M.t, y2: h - M.b, class: "zero" }, body);
      el("ellipse", { cx, cy, rx: X.px(1) - cx, ry: cy - Y.px(1), class: "unit-circle" }, body);
    }
    (spec.hlines || []).forEach((l) => {
      const y = Y.px(yt(num(l.y)));
      if (Number.isFinite(y)) el("line", { x1: M.l, x2: w - M.r, y1: y, y2: y, class: "hline" }, body);
    });

    const drawn = [];
    series.forEach((s, i) => {
      const look = style(s, i);
      const pts = [], sx = tx(s), sy = ty(s);
      for (let j = 0; j < sx.length; j++)
        pts.push(Number.isFinite(sx[j]) && Number.isFinite(sy[j]) ? [X.px(sx[j]), Y.px(sy[j])] : null);
      drawn.push(pts);
      const g = el("g", { class: s.ghost ? "ghost" : "series" }, body);
      if (s.style === "points") {
        pts.forEach((p) => p && el("circle", { cx: p[0], cy: p[1], r: 3.6, fill: look.color, stroke: "#fff", "stroke-width": 0.8, class: "pt" }, g));
      } else {
        let d = "", pen = false;
        pts.forEach((p) => { if (!p) { pen = false; return; } d += (pen ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1); pen = true; });
        el("path", { d, stroke: look.color, fill: "none", "stroke-width": look.width, "stroke-dasharray": look.dash, class: "line" }, g);
        if (pts.filter(Boolean).length === 1) { const p = pts.find(Boolean); el("circle", { cx: p[0], cy: p[1], r: 3, fill: look.color }, g); }
      }
    });

    (spec.markers || []).forEach((m) => {
      const x = X.px(xt(num(m.x)));
      if (!Number.isFinite(x)) return;
      el("line", { x1: x, x2: x, y1: M.t, y2: h - M.b, class: "marker" }, body);
    });

    // Hover read-out: the nearest drawn point of any series, shown in a line under the plot.
    const readout = document.createElement("p");
    readout.className = "readout";
    readout.setAttribute("aria-hidden", "true");
    const dot = el("circle", { r: 5, class: "hover-dot", visibility: "hidden" }, svg);
    svg.addEventListener("pointermove", (ev) => {
      const box = svg.getBoundingClientRect();
      const px = ev.clientX - box.left, py = ev.clientY - box.top;
      let best = null;
      drawn.forEach((pts, i) => pts.forEach((p, j) => {
        if (!p) return;
        const d = (p[0] - px) ** 2 + (p[1] - py) ** 2;
        if (!best || d < best.d) best = { d, i, j, p };
      }));
      if (!best) return;
      const s = series[best.i];
      dot.setAttribute("cx", best.p[0]); dot.setAttribute("cy", best.p[1]); dot.setAttribute("visibility", "visible");
      readout.textContent = `${plain(s.name)}: ${plain(spec.xLabel).split(" (")[0]} = ${fmt(num(s.x[best.j]))}, ` +
        `value ${s.log10 ? fmt(Math.pow(10, yAt(s, best.j))) : fmt(yAt(s, best.j))}`;
      readout.dataset.series = String(best.i);
      readout.dataset.index = String(best.j);
    });
    svg.addEventListener("pointerleave", () => dot.setAttribute("visibility", "hidden"));

    const legend = document.createElement("div");
    legend.className = "legend";
    const swatch = (look, points) => {
      const sw = document.createElementNS(NS, "svg");
      sw.setAttribute("width", "26"); sw.setAttribute("height", "10"); sw.setAttribute("aria-hidden", "true");
      if (points) el("circle", { cx: 13, cy: 5, r: 4, fill: look.color }, sw);
      else el("line", { x1: 1, x2: 25, y1: 5, y2: 5, stroke: look.color, "stroke-width": Math.max(2, look.width), "stroke-dasharray": look.dash }, sw);
      return sw;
    };
    series.forEach((s, i) => {
      const item = document.createElement("span");
      item.className = "legend-item" + (s.ghost ? " ghost" : "");
      item.appendChild(swatch(style(s, i), s.style === "points"));
      richHtml(item.appendChild(document.createElement("span")), s.name);
      legend.appendChild(item);
    });
    (spec.hlines || []).forEach((l) => {
      const item = document.createElement("span");
      item.className = "legend-item";
      item.appendChild(swatch({ color: REFERENCE, dash: "2 2", width: 1.5 }));
      richHtml(item.appendChild(document.createElement("span")), l.label);
      legend.appendChild(item);
    });
    (spec.markers || []).forEach((m) => {
      const item = document.createElement("span");
      item.className = "legend-item marker";
      item.appendChild(swatch({ color: "#b42318", dash: "3 3", width: 2 }));
      richHtml(item.appendChild(document.createElement("span")), m.label);
      legend.appendChild(item);
    });
    container.appendChild(legend);
    // A log axis cannot show 0: say which series reach it instead of leaving the plot silently empty there. A series
    // sent with a note (values the server refused and wrote as null, the answer's "<key>Note") says why it has gaps.
    const isZero = (s, j) => (s.log10 ? yAt(s, j) === -Infinity : yAt(s, j) === 0);
    const zeros = series.filter((s) => !s.ghost && (spec.yScale === "log") && s.y.some((v, j) => isZero(s, j)));
    const noted = series.filter((s) => !s.ghost && s.note);
    if (zeros.length || noted.length) {
      const note = document.createElement("p");
      note.className = "plot-note";
      zeros.forEach((s) => {
        const j = s.y.findIndex((v, i) => isZero(s, i));
        const line = document.createElement("span");
        richHtml(line, `${s.name} is exactly 0 from ${plain(spec.xLabel).split(" (")[0]} = ${fmt(num(s.x[j]))} on (not drawn on a log axis). `);
        note.appendChild(line);
      });
      noted.forEach((s) => {
        const line = document.createElement("span");
        richHtml(line, `${s.name} has gaps, not drawn: `);
        line.appendChild(document.createTextNode(`${s.note}. `));   // the library's words, as they are (no sub- or superscripts)
        note.appendChild(line);
      });
      container.appendChild(note);
    }
    container.appendChild(readout);
    container.appendChild(dataTable(spec, series));
    container.appendChild(downloads(container, spec, series, svg));

    const kept = { params: spec.params || null, series: series.map((s) => ({ name: s.name, x: s.x, y: s.y, log10: !!s.log10, zeroAt: s.log10 ? s.zeroAt || [] : [], reference: !!s.reference, ghost: !!s.ghost, note: s.note || null })), markers: spec.markers || [], hlines: spec.hlines || [] };
    container.dataset.series = JSON.stringify(kept.series);
    window.__plots[container.id] = kept;
  }

  function style(s, i) {
    if (s.reference) return { color: s.color || REFERENCE, dash: DASHES[1 + (i % (DASHES.length - 1))], width: 1.5 };
    return { color: s.color || PALETTE[i % PALETTE.length], dash: s.ghost ? "none" : DASHES[i % DASHES.length], width: s.ghost ? 1.5 : 2.2 };
  }

  // The text alternative: what is plotted, and each series' first and last values.
  function summary(spec, series) {
    const shown = series.filter((s) => !s.ghost);
    const value = (s, j) => valueText(s, s.log10 ? Math.pow(10, yAt(s, j)) : yAt(s, j));
    const each = shown.map((s) => {
      const n = s.x.length;
      return n === 0 ? `${plain(s.name)}: no points yet` : `${plain(s.name)}: ${n} points, from ${value(s, 0)} at ${fmt(num(s.x[0]))} to ${value(s, n - 1)} at ${fmt(num(s.x[n - 1]))}`;
    });
    const marks = (spec.markers || []).map((m) => plain(m.label));
    return `${plain(spec.yLabel)} against ${plain(spec.xLabel)}. ` + [...each, ...marks].join("; ") + ".";
  }

  function columns(series) {
    return series.filter((s) => !s.ghost).map((s) => ({ name: plain(s.name), note: s.note, x: s.x.map(num), y: s.y.map((v, j) => (s.log10 ? Math.pow(10, yAt(s, j)) : yAt(s, j))) }));
  }

  function dataTable(spec, series) {
    const details = document.createElement("details");
    details.className = "plot-data";
    const sum = document.createElement("summary");
    sum.textContent = "Data as a table";
    details.appendChild(sum);
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    const table = document.createElement("table");
    const cap = document.createElement("caption");
    cap.textContent = summary(spec, series);
    table.appendChild(cap);
    columns(series).forEach((c) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row"; th.textContent = c.name;
      tr.appendChild(th);
      const show = c.x.length > 60 ? c.x.map((_, j) => j).filter((j) => j % Math.ceil(c.x.length / 60) === 0 || j === c.x.length - 1) : c.x.map((_, j) => j);
      show.forEach((j) => { const td = document.createElement("td"); td.textContent = `${fmt(c.x[j])}: ${valueText(c, c.y[j])}`; tr.appendChild(td); });
      table.appendChild(tr);
    });
    wrap.appendChild(table);
    details.appendChild(wrap);
    return details;
  }

  // A refused value (a noted series' NaN) is an empty y with the series' note beside it, in a column only plots with
  // a note have.
  function csv(series) {
    const cols = columns(series);
    const noted = cols.some((c) => c.note);
    const quote = (text) => `"${text.replace(/"/g, '""')}"`;
    const rows = [noted ? "series,x,y,note" : "series,x,y"];
    cols.forEach((c) => c.x.forEach((x, j) => {
      const refused = c.note && Number.isNaN(c.y[j]);
      rows.push(`${quote(c.name)},${x},${refused ? "" : c.y[j]}` + (noted ? `,${refused ? quote(c.note) : ""}` : ""));
    }));
    return rows.join("\n") + "\n";
  }

  function save(name, blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // A standalone SVG: the page's plot styles inlined, so the file looks as it does on the page.
  function svgText(svg) {
    const copy = svg.cloneNode(true);
    const css = el("style", {});
    css.textContent = "text{font:12px system-ui,sans-serif;fill:#1d2125}.tick{fill:#4a545e}.grid line{stroke:#e6eaee}.frame{fill:none;stroke:#8a96a3}" +
      ".unit-circle{fill:none;stroke:#6b7580;stroke-dasharray:4 3}.zero{stroke:#c3cad1}.marker{stroke:#b42318;stroke-width:1.5;stroke-dasharray:3 3}" +
      ".hline{stroke:#555;stroke-width:1.5;stroke-dasharray:2 2}.ghost{opacity:.3}.hover-dot{display:none}";
    copy.insertBefore(css, copy.firstChild);
    return new XMLSerializer().serializeToString(copy);
  }

  function downloads(container, spec, series, svg) {
    const bar = document.createElement("div");
    bar.className = "downloads";
    const base = container.id.replace(/^plot-/, "rnnlab-");
    const button = (label, what, act) => {
      const b = document.createElement("button");
      b.type = "button"; b.className = "small"; b.textContent = label;
      b.setAttribute("aria-label", `${label} of the plot of ${plain(spec.yLabel)}`);
      b.dataset.download = what;
      b.addEventListener("click", act);
      bar.appendChild(b);
    };
    button("SVG", "svg", () => save(base + ".svg", new Blob([svgText(svg)], { type: "image/svg+xml" })));
    button("PNG", "png", () => {
      const img = new Image();
      const w = +svg.getAttribute("width"), h = +svg.getAttribute("height");
      img.onload = () => {
        const c = document.createElement("canvas");
        c.width = w * 2; c.height = h * 2;
        const g = c.getContext("2d");
        g.fillStyle = "#fff"; g.fillRect(0, 0, c.width, c.height);
        g.scale(2, 2); g.drawImage(img, 0, 0);
        c.toBlob((b) => b && save(base + ".png", b), "image/png");
      };
      img.src = URL.createObjectURL(new Blob([svgText(svg)], { type: "image/svg+xml" }));
    });
    button("CSV", "csv", () => save(base + ".csv", new Blob([csv(series)], { type: "text/csv" })));
    return bar;
  }

  // Redraw at the new size when the window changes width (a phone turned sideways, a resized window).
  let lastWidth = window.innerWidth, resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (Math.abs(window.innerWidth - lastWidth) < 2) return;
      lastWidth = window.innerWidth;
      document.querySelectorAll(".plot").forEach((c) => c._spec && draw(c, c._spec));
    }, 150);
  });

  return { draw, fmt, csv, plain, richHtml };
})();
