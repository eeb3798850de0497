/** Public surface of the rng room. */
export { PerImageNoiseSource } from './batch-noise.ts';
export { randn, TorchGenerator, type NormalKernel } from './torch-generator.ts';
