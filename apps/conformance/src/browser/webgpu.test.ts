/**
 * The browser run's Chromium offers WebGPU: the page is a secure context (http://127.0.0.1) and
 * CHROMIUM_ARGS include --enable-unsafe-webgpu, so headless Chromium gives a Dawn/SwiftShader
 * adapter on any machine. The WebGPU adapters (tfjs-webgpu, onnxruntime-web-webgpu) rely on this.
 * Needs Debian's /usr/bin/chromium: required on CI, skipped with a message elsewhere.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from './executor.js';
import { serveDirectory } from './static-server.js';

const executablePath = process.env['FOCAL_CONFORMANCE_CHROMIUM'] ?? DEFAULT_CHROMIUM;
const hasChromium = existsSync(executablePath);
if (!hasChromium && process.env['CI']) {
  throw new Error(`CI is set but Chromium is missing at ${executablePath}: the WebGPU check cannot be skipped on CI`);
}

interface GpuProbe {
  secure: boolean;
  adapter: boolean;
  architecture?: string;
  /** 2 * [1, 2, 3] computed by a WGSL compute shader, read back. */
  doubled?: number[];
}

/** Runs in the page: asks for an adapter and a device and runs one tiny compute pass. */
async function probe(): Promise<GpuProbe> {
  // Node's types have no DOM or WebGPU: this runs in the page, so it is loosely typed on purpose.
  const page = globalThis as any;
  const secure = page.isSecureContext === true;
  const gpu = page.navigator?.gpu;
  if (!gpu) return { secure, adapter: false };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { secure, adapter: false };
  const device = await adapter.requestDevice();
  const G = page.GPUBufferUsage;
  const data = new Float32Array([1, 2, 3]);
  const buffer = device.createBuffer({ size: 12, usage: G.STORAGE | G.COPY_SRC | G.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  const read = device.createBuffer({ size: 12, usage: G.MAP_READ | G.COPY_DST });
  const module = device.createShaderModule({
    code: '@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) i: vec3<u32>) { v[i.x] = v[i.x] * 2.0; }',
  });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer } }] });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(3);
  pass.end();
  encoder.copyBufferToBuffer(buffer, 0, read, 0, 12);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(page.GPUMapMode.READ);
  const doubled = [...new Float32Array(read.getMappedRange().slice(0))];
  return { secure, adapter: true, architecture: String(adapter.info?.architecture ?? ''), doubled };
}

describe.skipIf(!hasChromium)(`WebGPU in the browser run (${hasChromium ? executablePath : `skipped: no Chromium at ${executablePath}`})`, () => {
  it('has the flag, a secure context and a working WebGPU adapter', async () => {
    expect(CHROMIUM_ARGS).toContain('--enable-unsafe-webgpu');
    const root = mkdtempSync(join(tmpdir(), 'conformance-webgpu-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>webgpu</title>');
    const server = await serveDirectory(root);
    const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await browser.newPage();
      await page.goto(server.url);
      const result = await page.evaluate(probe);
      expect(result.secure).toBe(true);
      expect(result.adapter, 'navigator.gpu.requestAdapter() returned null').toBe(true);
      expect(result.doubled).toEqual([2, 4, 6]);
      console.log(`WebGPU adapter in headless Chromium: architecture "${result.architecture}"`);
    } finally {
      await browser.close();
      await server.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
