// A compact SVG plotter for the lesson: line and point series, linear or log axes (decade ticks), vertical
// markers, an optional unit circle, and an HTML legend. Every drawn plot keeps its data: the element's
// data-series attribute and window.__plots[id] hold the series exactly as received from the server.
"use strict";

window.__plots = window.__plots || {};

const Plot = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const W = 640, H = 360, M = { l: 64, r: 16, t: 14, b: 46 };
  const PALETTE = ["#1f6feb", "#d9480f", "#2b8a3e", "#9c36b5", "#e8590c", "#495057"];
  const SUP = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };

  const el = (name, attrs, parent) => {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  };
  const num = (v) => (typeof v === "number" ? v : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : NaN);

  // An axis maps values to a transformed space t (log10 on a log axis) and then to pixels. A series whose values
  // are already log10 (log10: true) skips the transform.
  const transform = (kind) => (kind === "log" ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v);
  function axis(kind, ts, lo, hi, fixed) {
    ts = ts.filter(Number.isFinite);
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
      ticks = niceTicks(a, b);
      a = Math.min(a, ticks[0]); b = Math.max(b, ticks[ticks.length - 1]);
    }
    const decades = b - a >= 1.5;
    const label = (t) => (logLike ? (decades ? pow10(t) : fmt(Math.pow(10, t))) : fmt(t));
    return { a, b, ticks, label, px: (t) => lo + ((t - a) / (b - a)) * (hi - lo) };
  }

  function niceTicks(a, b) {
    const span = b - a, raw = span / 6, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= 7);
    const out = [];
    for (let t = Math.floor(a / step) * step; t <= b + step * 0.5; t += step) out.push(+t.toPrecision(12));
    return out;
  }

  const pow10 = (t) => "10" + String(Math.round(t)).split("").map((c) => SUP[c]).join("");
  function fmt(v) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e", "×10^").replace(/\^\+?(-?\d+)/, (_, e) => pow10(+e).slice(2));
    return String(+v.toPrecision(4));
  }

  // spec: { xLabel, yLabel, xScale, yScale ("linear" | "log"), yRange, series: [{ name, x, y, log10, style, color }],
  //         markers: [{ x, label, color }], unitCircle, equal, params }
  function draw(container, spec) {
    container.innerHTML = "";
    const series = spec.series || [];
    const xt = transform(spec.xScale || "linear"), yt = transform(spec.yScale || "linear");
    const tx = (s) => s.x.map((v) => xt(num(v)));
    const ty = (s) => s.y.map((v) => (s.log10 ? num(v) : yt(num(v))));
    const xs = [], ys = [];
    series.forEach((s) => { xs.push(...tx(s)); ys.push(...ty(s)); });
    (spec.markers || []).forEach((m) => xs.push(xt(num(m.x))));
    let xFixed = null, yFixed = spec.yRange || null;
    if (spec.unitCircle) {
      const r = Math.max(1.1, ...xs.map(Math.abs).filter(Number.isFinite), ...ys.map(Math.abs).filter(Number.isFinite)) * 1.05;
      xFixed = [-r, r]; yFixed = [-r, r];
    }
    const w = spec.equal ? 400 : W, h = spec.equal ? 400 - (M.l + M.r) + (M.t + M.b) : H;   // equal: a square plot area
    const X = axis(spec.xScale || "linear", xs, M.l, w - M.r, xFixed);
    const Y = axis(spec.yScale || "linear", ys, h - M.b, M.t, yFixed);
    const svg = el("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": `${spec.yLabel} against ${spec.xLabel}`, class: "plot-svg" }, container);

    const grid = el("g", { class: "grid" }, svg);
    X.ticks.forEach((t) => {
      const x = X.px(t);
      el("line", { x1: x, x2: x, y1: M.t, y2: h - M.b }, grid);
      el("text", { x, y: h - M.b + 16, "text-anchor": "middle", class: "tick" }, svg).textContent = X.label(t);
    });
    Y.ticks.forEach((t) => {
      const y = Y.px(t);
      el("line", { x1: M.l, x2: w - M.r, y1: y, y2: y }, grid);
      el("text", { x: M.l - 6, y: y + 4, "text-anchor": "end", class: "tick" }, svg).textContent = Y.label(t);
    });
    el("rect", { x: M.l, y: M.t, width: w - M.l - M.r, height: h - M.t - M.b, class: "frame" }, svg);
    el("text", { x: (M.l + w - M.r) / 2, y: h - 8, "text-anchor": "middle", class: "axis-label" }, svg).textContent = spec.xLabel;
    el("text", { x: 14, y: (M.t + h - M.b) / 2, "text-anchor": "middle", class: "axis-label", transform: `rotate(-90 14 ${(M.t + h - M.b) / 2})` }, svg).textContent = spec.yLabel;

    const clipId = "clip" + Math.random().toString(36).slice(2);
    el("rect", { x: M.l, y: M.t, width: w - M.l - M.r, height: h - M.t - M.b }, el("clipPath", { id: clipId }, el("defs", {}, svg)));
    const body = el("g", { "clip-path": `url(#${clipId})` }, svg);

    if (spec.unitCircle) {
      const cx = X.px(0), cy = Y.px(0);
      el("ellipse", { cx, cy, rx: X.px(1) - cx, ry: cy - Y.px(1), class: "unit-circle" }, body);
      el("line", { x1: M.l, x2: w - M.r, y1: cy, y2: cy, class: "zero" }, body);
      el("line", { x1: cx, x2: cx, y1: M.t, y2: h - M.b, class: "zero" }, body);
    }

    series.forEach((s, i) => {
      const color = s.color || PALETTE[i % PALETTE.length];
      const pts = [], sx = tx(s), sy = ty(s);
      for (let j = 0; j < sx.length; j++)
        pts.push(Number.isFinite(sx[j]) && Number.isFinite(sy[j]) ? [X.px(sx[j]), Y.px(sy[j])] : null);
      if (s.style === "points") {
        pts.forEach((p) => p && el("circle", { cx: p[0], cy: p[1], r: 3.2, fill: color, class: "pt" }, body));
      } else {
        let d = "", pen = false;
        pts.forEach((p) => { if (!p) { pen = false; return; } d += (pen ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1); pen = true; });
        el("path", { d, stroke: color, fill: "none", "stroke-width": 2, "stroke-dasharray": s.style === "dash" ? "6 4" : "none", class: "line" }, body);
        if (pts.filter(Boolean).length === 1) { const p = pts.find(Boolean); el("circle", { cx: p[0], cy: p[1], r: 3, fill: color }, body); }
      }
    });

    (spec.markers || []).forEach((m) => {
      const x = X.px(xt(num(m.x)));
      if (!Number.isFinite(x)) return;
      el("line", { x1: x, x2: x, y1: M.t, y2: h - M.b, class: "marker", stroke: m.color || "#c92a2a" }, body);
      el("text", { x: x + 4, y: M.t + 14, class: "marker-label", fill: m.color || "#c92a2a" }, body).textContent = m.label;
    });

    const legend = document.createElement("div");
    legend.className = "legend";
    series.forEach((s, i) => {
      const item = document.createElement("span");
      item.className = "legend-item " + (s.style || "line");
      item.style.setProperty("--c", s.color || PALETTE[i % PALETTE.length]);
      item.textContent = s.name;
      legend.appendChild(item);
    });
    (spec.markers || []).forEach((m) => {
      const item = document.createElement("span");
      item.className = "legend-item marker";
      item.style.setProperty("--c", m.color || "#c92a2a");
      item.textContent = m.label;
      legend.appendChild(item);
    });
    container.appendChild(legend);

    const kept = { params: spec.params || null, series: series.map((s) => ({ name: s.name, x: s.x, y: s.y, log10: !!s.log10 })), markers: spec.markers || [] };
    container.dataset.series = JSON.stringify(kept.series);
    window.__plots[container.id] = kept;
  }

  return { draw, fmt };
})();
