/**
 * One instance of the WebAssembly SIMD kernel and the layout of its memory: a parameter block,
 * then one region per array of a block (input, target, weight, loss, gradient, special indices),
 * the class weights and the softmax row scratch. Blocks are copied in and out by the callers
 * (sigmoid-blocks.ts, softmax-blocks.ts): a few thousand elements at a time, so they stay in cache
 * and the module's memory stays small whatever the input's size.
 */
import { FOCAL_SIMD_WASM_BASE64 } from './wasm-binary.js';
import { PARAM_BYTES } from './layout.js';
import { webAssembly, type WasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';

interface KernelExports {
  readonly memory: WasmMemory;
  readonly __heap_base: { readonly value: unknown };
  sigmoid_focal(params: number, x: number, y: number, w: number, loss: number, grad: number, specials: number): number;
  softmax_focal(
    params: number,
    x: number,
    y: number,
    w: number,
    alpha: number,
    loss: number,
    grad: number,
    specials: number,
    scratch: number,
    xt: number,
    yt: number,
  ): number;
  first_outside_unit(target: number, n: number): number;
  exp_neg_f32(a: number, out: number, n: number): void;
  log1p_f32(y: number, out: number, n: number): void;
  log_f32(u: number, out: number, n: number): void;
  exp_neg_flush_f32(a: number, out: number, n: number): void;
  log1p_unit_f32(e: number, out: number, n: number): void;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function api(): WasmApi {
  const wasm = webAssembly();
  if (wasm === undefined) throw new Error('this runtime has no WebAssembly');
  return wasm;
}

let compiled: WasmModule | null = null;
let compiling: Promise<WasmModule> | null = null;

/** Compiles the module synchronously (Node, workers; browsers may refuse on the main thread). */
export function compileKernelSync(): WasmModule {
  const Module = api().Module;
  compiled ??= new Module(decodeBase64(FOCAL_SIMD_WASM_BASE64));
  return compiled;
}

/** Compiles the module off the main thread where the runtime can. */
export function compileKernel(): Promise<WasmModule> {
  if (compiled !== null) return Promise.resolve(compiled);
  compiling ??= api()
    .compile(decodeBase64(FOCAL_SIMD_WASM_BASE64))
    .then((module) => (compiled = module));
  return compiling;
}

const PAGE = 65536;
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

export class SimdKernel {
  readonly exports: KernelExports;
  /** Capacity of each array region, in elements (a multiple of 4, with 4 of padding). */
  private elements = 0;
  private classes = 0;
  params = 0;
  x = 0;
  y = 0;
  w = 0;
  loss = 0;
  grad = 0;
  specials = 0;
  alpha = 0;
  scratch = 0;
  /** Transposed copies of a softmax block's input and probability targets (class axis last). */
  xt = 0;
  yt = 0;
  f32!: Float32Array;
  i32!: Int32Array;

  constructor(module: WasmModule) {
    const Instance = api().Instance;
    this.exports = new Instance(module, {}).exports as unknown as KernelExports;
    this.params = align16(this.exports.__heap_base.value as number);
    this.refreshViews();
  }

  /** Makes room for blocks of `elements` values and rows of `classes` classes. */
  reserve(elements: number, classes: number): void {
    if (elements <= this.elements && classes <= this.classes) return;
    const capacity = Math.ceil(Math.max(elements, this.elements) / 4) * 4 + 4;
    const c = Math.max(classes, this.classes);
    const region = align16(4 * capacity);
    this.x = this.params + PARAM_BYTES;
    this.y = this.x + region;
    this.w = this.y + region;
    this.loss = this.w + region;
    this.grad = this.loss + region;
    this.specials = this.grad + region;
    this.xt = this.specials + region;
    this.yt = this.xt + region;
    this.alpha = this.yt + region;
    this.scratch = this.alpha + align16(4 * c);
    const end = this.scratch + 2 * 16 * c;
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    this.elements = capacity - 4;
    this.classes = c;
    this.refreshViews();
  }

  private refreshViews(): void {
    this.f32 = new Float32Array(this.exports.memory.buffer);
    this.i32 = new Int32Array(this.exports.memory.buffer);
  }
}

let shared: SimdKernel | null = null;

/** The instance of this thread, created on first use (synchronous compile if needed). */
export function sharedKernel(): SimdKernel {
  shared ??= new SimdKernel(compileKernelSync());
  return shared;
}

/** Whether `sharedKernel()` exists already or can be made without a synchronous compile. */
export function kernelCompiled(): boolean {
  return compiled !== null;
}
