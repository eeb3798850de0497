/**
 * Removes the dead `baddbmm` branches of legacy UNet/VAE exports. diffusers' attention computed
 * `baddbmm(empty, q, kᵀ, beta=0, alpha=scale)`; torch.onnx traced it into
 * `Add(MatMul·scale, Mul(ConstantOfShape(shape, 0), 0))`, so onnxruntime allocates and fills a
 * zero tensor the size of the attention scores (batch × heads × 4096 × 4096 at 512²) and adds it,
 * in every attention layer (issue 16: 32 branches of ~1 GB each at batch 2 in SD1.5).
 * `x + 0·0` is `x` for every float (−0 becomes +0, which nothing downstream can tell apart), so
 * rewiring the Add's consumers to `x` is exact. Nodes left without consumers are pruned.
 * Pure graph surgery on onnx-proto messages: no onnxruntime, no files.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.IModelProto;
type Graph = onnxProto.onnx.IGraphProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

/** Bumped whenever the rewrite changes, so cached rewritten models are redone. */
export const ZERO_BRANCH_REWRITE_VERSION = 1;

/** What {@link removeZeroAddBranches} changed. */
export interface ZeroBranchRewriteResult {
  /** Add nodes whose zero operand was removed. */
  removedAdds: number;
  /** Nodes pruned in total (the Adds, their zero branches and the shape arithmetic feeding them). */
  prunedNodes: number;
}

/** True when every element of a float/double/int tensor literal is zero (raw or typed data). */
function isAllZero(tensor: Tensor | null | undefined): boolean {
  if (!tensor) return false;
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return false;
  const raw = tensor.rawData;
  if (raw && raw.length > 0) return zeroFloatBits(raw, tensor.dataType);
  const values = [...(tensor.floatData ?? []), ...(tensor.doubleData ?? []), ...(tensor.int32Data ?? [])];
  return values.length > 0 && values.every((value) => Number(value) === 0);
}

/** Raw float bytes that are ±0 only (the sign bit alone may be set); other types must be all-zero bytes. */
function zeroFloatBits(raw: Uint8Array, dataType: number | null | undefined): boolean {
  const width = dataType === onnx.TensorProto.DataType.FLOAT ? 4 : dataType === onnx.TensorProto.DataType.DOUBLE ? 8 : 0;
  if (width === 0) return raw.every((byte) => byte === 0);
  for (let offset = 0; offset < raw.length; offset += width) {
    for (let index = 0; index < width; index++) {
      const byte = raw[offset + index]!;
      // little-endian: the sign bit lives in the last byte of each element
      if (byte !== 0 && !(index === width - 1 && byte === 0x80)) return false;
    }
  }
  return true;
}

/** The zero literal a node or initializer produces for `name`, if it is one. */
function zeroSource(name: string, producers: Map<string, Node>, initializers: Map<string, Tensor>): 'constant' | 'fill' | undefined {
  const initializer = initializers.get(name);
  if (initializer) return isAllZero(initializer) ? 'constant' : undefined;
  const node = producers.get(name);
  if (!node || (node.domain ?? '') !== '') return undefined;
  const value = node.attribute?.find((attribute) => attribute.name === 'value')?.t;
  if (node.opType === 'Constant') return isAllZero(value) ? 'constant' : undefined;
  // ConstantOfShape without a value attribute fills with float 0.
  if (node.opType === 'ConstantOfShape') return value === undefined || value === null || isAllZero(value) ? 'fill' : undefined;
  return undefined;
}

/** True when `name` is `Mul(ConstantOfShape(…, 0), 0)` (in either order). */
function isZeroBranch(name: string, producers: Map<string, Node>, initializers: Map<string, Tensor>): boolean {
  const mul = producers.get(name);
  if (!mul || mul.opType !== 'Mul' || (mul.domain ?? '') !== '' || mul.input?.length !== 2) return false;
  const kinds = mul.input.map((input) => zeroSource(input, producers, initializers));
  return kinds.includes('fill') && kinds.every((kind) => kind !== undefined);
}

/** Names read by nodes of subgraphs (If/Loop bodies): never prune their producers. */
function subgraphReads(graph: Graph, into: Set<string>): void {
  for (const node of graph.node ?? []) {
    for (const attribute of node.attribute ?? []) {
      for (const sub of [attribute.g, ...(attribute.graphs ?? [])]) {
        if (!sub) continue;
        for (const inner of sub.node ?? []) for (const input of inner.input ?? []) into.add(input);
        subgraphReads(sub, into);
      }
    }
  }
}

/**
 * Rewrites `model` in place: every `Add(x, Mul(ConstantOfShape(s, 0), 0))` is bypassed (its readers
 * read `x`), then nodes whose outputs nobody reads are removed. A bypassed Add whose output is a
 * graph output becomes an Identity instead.
 */
export function removeZeroAddBranches(model: Model): ZeroBranchRewriteResult {
  const graph = model.graph;
  if (!graph?.node) return { removedAdds: 0, prunedNodes: 0 };
  const producers = new Map<string, Node>();
  for (const node of graph.node) for (const output of node.output ?? []) producers.set(output, node);
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  const graphOutputs = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  const replacement = new Map<string, string>();
  let removedAdds = 0;
  for (const node of graph.node) {
    if (node.opType !== 'Add' || (node.domain ?? '') !== '' || node.input?.length !== 2 || node.output?.length !== 1) continue;
    const [left, right] = node.input as [string, string];
    const kept = isZeroBranch(right, producers, initializers) ? left : isZeroBranch(left, producers, initializers) ? right : undefined;
    if (kept === undefined) continue;
    removedAdds++;
    const output = node.output[0]!;
    if (graphOutputs.has(output)) {
      node.opType = 'Identity';
      node.input = [kept];
    } else {
      replacement.set(output, kept);
    }
  }
  if (removedAdds === 0) return { removedAdds: 0, prunedNodes: 0 };
  const resolve = (name: string): string => {
    let current = name;
    while (replacement.has(current)) current = replacement.get(current)!;
    return current;
  };
  for (const node of graph.node) node.input = (node.input ?? []).map((input) => (input === '' ? input : resolve(input)));
  const before = graph.node.length;
  graph.node = pruneUnread(graph, graphOutputs);
  return { removedAdds, prunedNodes: before - graph.node.length };
}

/** Keeps the nodes that (transitively) feed a graph output or a subgraph; ONNX nodes are topologically sorted. */
function pruneUnread(graph: Graph, graphOutputs: Set<string>): Node[] {
  const needed = new Set(graphOutputs);
  subgraphReads(graph, needed);
  const nodes = graph.node ?? [];
  const kept: Node[] = [];
  for (let index = nodes.length - 1; index >= 0; index--) {
    const node = nodes[index]!;
    if (!(node.output ?? []).some((output) => needed.has(output))) continue;
    kept.push(node);
    for (const input of node.input ?? []) if (input !== '') needed.add(input);
  }
  return kept.reverse();
}

/** Decodes an ONNX file's bytes. */
export function decodeModel(bytes: Uint8Array): Model {
  return onnx.ModelProto.decode(bytes);
}

/** Encodes a model back to ONNX bytes. */
export function encodeModel(model: Model): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** External data files (the `location` of externally stored initializers) a model reads, relative to its folder. */
export function externalDataLocations(model: Model): string[] {
  const locations = new Set<string>();
  const visit = (graph: Graph | null | undefined): void => {
    for (const tensor of graph?.initializer ?? []) {
      if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
      const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value;
      if (location) locations.add(location);
    }
    for (const node of graph?.node ?? []) for (const attribute of node.attribute ?? []) [attribute.g, ...(attribute.graphs ?? [])].forEach(visit);
  };
  visit(model.graph);
  return [...locations];
}
