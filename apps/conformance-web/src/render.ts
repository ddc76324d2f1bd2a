/** Renders a report, the backends' precision and the two plots into the page. */
import { formatFailures, formatRatio, formatTable, reportToJson, worstRatioOf, type Report } from '../../conformance/src/report.js';
import type { BackendInfo } from './browser-adapters.js';
import {
  ERROR_PLOT_GAMMA,
  FAMILY_IOU,
  FIGURE1_GAMMAS,
  errorPlotLogits,
  familyCurves,
  figure1Logits,
  relativeErrors,
  sigmoid,
  type AdapterSweep,
} from './sweep.js';
import { escapeXml, renderPlot, type Series } from './svg-plot.js';

const GAMMA_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];
const FAMILY_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#98df8a', '#9467bd', '#8c564b', '#ff7f0e', '#17becf'];
const ADAPTER_COLORS = ['#1f77b4', '#7f7f7f', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
/** The adapter whose sweep the relative errors are measured against. */
export const REFERENCE_ADAPTER = 'typed-array-f64';
/** Where an exact (zero) relative error is drawn on the log axis. */
const ERROR_FLOOR = 1e-18;

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}

export function setStatus(text: string): void {
  element('status').textContent = text;
}

export function renderReport(report: Report): void {
  element('table').textContent = formatTable(report);
  const failures = formatFailures(report, 200);
  const stale = (report.staleExpectations ?? []).join('\n');
  element('failures').textContent = [failures || 'No fixture failed.', stale].filter(Boolean).join('\n');
  renderWorstErrors(report);
  const download = element('download') as HTMLButtonElement;
  download.disabled = false;
  download.onclick = () => {
    const blob = new Blob([`${reportToJson(report)}\n`], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'conformance-report.json';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };
}

/** One row per fixture, one column per adapter: the worst error as a multiple of the tolerance. */
function renderWorstErrors(report: Report): void {
  const adapters = Object.keys(report.summary);
  const fixtures = [...new Set(report.results.map((r) => r.fixture))].sort();
  const byKey = new Map(report.results.map((r) => [`${r.adapter}\u0000${r.fixture}`, r]));
  const head = `<tr><th>fixture</th>${adapters.map((a) => `<th>${escapeXml(a)}</th>`).join('')}</tr>`;
  const rows = fixtures.map((fixture) => {
    const cells = adapters.map((adapter) => {
      const r = byKey.get(`${adapter}\u0000${fixture}`);
      if (r === undefined) return '<td></td>';
      const text = r.status === 'skip' ? 'skip' : formatRatio(worstRatioOf(r)) + (r.status === 'fail' ? ' FAIL' : '');
      const title = r.reason ? ` title="${escapeXml(r.reason)}"` : '';
      return `<td class="${r.status}"${title}>${escapeXml(text)}</td>`;
    });
    return `<tr><td>${escapeXml(fixture)}</td>${cells.join('')}</tr>`;
  });
  element('worst').innerHTML = `<table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderBackends(report: Report, info: BackendInfo): void {
  const precision = (report.environment?.['precision'] ?? {}) as Record<string, string>;
  const rows = Object.keys(report.summary).map((adapter) => {
    const unavailable = report.unavailable?.[adapter];
    const details = unavailable
      ? `<em>skipped: ${escapeXml(unavailable)}</em>`
      : Object.entries(info[adapter] ?? {})
          .map(([k, v]) => `${escapeXml(k)}: <b>${escapeXml(typeof v === 'object' ? JSON.stringify(v) : String(v))}</b>`)
          .join('<br>');
    return `<tr><td>${escapeXml(adapter)}</td><td>${escapeXml(precision[adapter] ?? '')}</td><td>${details}</td></tr>`;
  });
  element('backends').innerHTML =
    `<table><thead><tr><th>adapter</th><th>declared</th><th>what the backend reports</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderPlots(sweeps: readonly AdapterSweep[]): void {
  const logits = figure1Logits();
  const pt = logits.map(sigmoid);
  const panels = sweeps.map((s) => {
    if (typeof s.figure1 === 'string') {
      return `<div class="panel skipped"><b>${escapeXml(s.adapter)}</b><br>skipped: ${escapeXml(s.figure1)}</div>`;
    }
    const figure1 = s.figure1;
    const series: Series[] = FIGURE1_GAMMAS.map((gamma, i) => ({
      label: `γ = ${gamma}`,
      color: GAMMA_COLORS[i] as string,
      points: (figure1.get(gamma) ?? []).map((loss, j) => [pt[j] as number, loss] as const),
    }));
    return `<div class="panel">${renderPlot({
      title: s.adapter, xLabel: 'probability of ground truth class p_t', yLabel: 'loss',
      x: [0, 1], y: [0, 5], width: 330, height: 240, legend: false, series,
    })}</div>`;
  });
  const legend = FIGURE1_GAMMAS.map(
    (gamma, i) => `<span class="key"><span style="background:${GAMMA_COLORS[i]}"></span>γ = ${gamma}</span>`,
  ).join('');
  element('plot-figure1').innerHTML = `<div class="legend">${legend}</div><div class="panels">${panels.join('')}</div>`;
  renderFamilyPlot();

  const reference = sweeps.find((s) => s.adapter === REFERENCE_ADAPTER)?.errorSweep;
  if (reference === undefined || typeof reference === 'string') {
    element('plot-error').textContent = `No reference sweep (${REFERENCE_ADAPTER}): ${reference ?? 'not run'}`;
    return;
  }
  const xs = errorPlotLogits();
  const notes: string[] = [];
  const series: Series[] = [];
  sweeps.forEach((s, i) => {
    if (s.adapter === REFERENCE_ADAPTER) return;
    if (typeof s.errorSweep === 'string') {
      notes.push(`${s.adapter}: skipped: ${s.errorSweep}`);
      return;
    }
    const errors = relativeErrors(s.errorSweep, reference);
    const worst = Math.max(...errors.filter((e) => !Number.isNaN(e)));
    notes.push(`${s.adapter}: largest relative error ${worst === 0 ? '0' : worst.toExponential(2)}`);
    series.push({
      label: s.adapter,
      color: ADAPTER_COLORS[i % ADAPTER_COLORS.length] as string,
      dashed: i % 2 === 1,
      points: errors.map((e, j) => [xs[j] as number, e === 0 ? ERROR_FLOOR : e] as const),
    });
  });
  element('plot-error').innerHTML =
    renderPlot({
      title: `relative error of the loss against ${REFERENCE_ADAPTER} (γ = ${ERROR_PLOT_GAMMA}, target 1, alpha null)`,
      xLabel: 'logit x', yLabel: 'relative error (log scale)',
      x: [xs[0] as number, xs[xs.length - 1] as number], y: [ERROR_FLOOR, 10], yLog: true, width: 820, height: 420, series,
    }) + `<ul>${notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul>`;
}

/**
 * The focal-loss family against p_t (issue 15), from typed-array's functions. Its section is
 * created after the Figure 1 panels when the page (index.html) has no #plot-family of its own.
 */
export function renderFamilyPlot(): void {
  let target = document.getElementById('plot-family');
  if (target === null) {
    const section = document.createElement('section');
    section.innerHTML =
      '<h2>The focal-loss family against p<sub>t</sub> (typed-array, float64)</h2>' +
      '<p class="note">One positive per point (target 1, alpha off): cross-entropy, focal loss, Poly-1 ' +
      '(focal loss + ε (1 − p<sub>t</sub>)<sup>γ+1</sup>), FL* and the positive branch of ASL. Dashed: QFL and ' +
      `VFL against a soft IoU target ${FAMILY_IOU}, plotted against p (their minimum is at p = IoU).</p>` +
      '<div id="plot-family"></div>';
    element('plot-figure1').after(section);
    target = element('plot-family');
  }
  const logits = figure1Logits();
  const x = logits.map(sigmoid);
  const series: Series[] = familyCurves(logits).map((curve, i) => ({
    label: curve.label,
    color: FAMILY_COLORS[i % FAMILY_COLORS.length] as string,
    dashed: curve.soft === true,
    points: curve.loss.map((loss, j) => [x[j] as number, loss] as const),
  }));
  target.innerHTML = renderPlot({
    title: 'focal-loss family: loss of one positive against p_t',
    xLabel: 'probability of ground truth class p_t (p for the dashed IoU curves)',
    yLabel: 'loss',
    x: [0, 1], y: [0, 5], width: 880, height: 440, series,
  });
}
