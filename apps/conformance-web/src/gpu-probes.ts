/**
 * What this browser offers for GPU backends, asked the way the backends themselves ask, so that an
 * adapter that cannot start is skipped with the browser's own answer rather than a guess.
 */

export interface WebGlInfo {
  readonly version: 'webgl2' | 'webgl';
  readonly renderer: string;
  readonly vendor: string;
  /** Fragment shader highp float: precision bits of the mantissa (23 = IEEE float32). */
  readonly fragmentHighpMantissaBits: number;
}

/** The WebGL context a fresh canvas gets, or the reason there is none. */
export function probeWebGl(): WebGlInfo | string {
  const canvas = document.createElement('canvas');
  const gl2 = canvas.getContext('webgl2');
  const gl = gl2 ?? canvas.getContext('webgl');
  if (gl === null) return "canvas.getContext('webgl2') and getContext('webgl') both returned null: WebGL is disabled or has no usable GPU here";
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  const vendor = String(debug ? gl.getParameter(debug.UNMASKED_VENDOR_WEBGL) : gl.getParameter(gl.VENDOR));
  const highp = gl.getShaderPrecisionFormat(gl.FRAGMENT_SHADER, gl.HIGH_FLOAT);
  const info: WebGlInfo = { version: gl2 ? 'webgl2' : 'webgl', renderer, vendor, fragmentHighpMantissaBits: highp?.precision ?? 0 };
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return info;
}

export interface WebGpuInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
}

interface GpuAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/** The WebGPU adapter the browser hands out, or the reason there is none. */
export async function probeWebGpu(): Promise<WebGpuInfo | string> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (gpu === undefined) {
    return window.isSecureContext
      ? 'navigator.gpu is undefined: this browser does not expose WebGPU'
      : 'navigator.gpu is undefined: WebGPU needs a secure context (https or localhost)';
  }
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return `navigator.gpu.requestAdapter() threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (adapter === null) return 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter on this machine';
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
  };
}
