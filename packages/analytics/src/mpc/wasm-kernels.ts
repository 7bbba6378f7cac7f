// One WebAssembly kernel module (base64), compiled when the importing module loads (once per thread,
// so a run's first call finds it ready), and its memory grown on demand.

/**
 * The kernels of `base64`; the function returned gives them with at least `bytes` of memory
 * (grown in 64 KiB pages; never shrunk).
 */
export function wasmKernels<K extends { readonly memory: WebAssembly.Memory }>(
  base64: string,
): (bytes: number) => K {
  const compiled = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64')))
    .exports as unknown as K;
  return (bytes) => {
    const have = compiled.memory.buffer.byteLength;
    if (have < bytes) compiled.memory.grow(Math.ceil((bytes - have) / 65_536));
    return compiled;
  };
}
