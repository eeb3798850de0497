/** The tokenizer room: CLIP BPE and A1111 prompt weighting / long-prompt chunks. */
export { ClipTokenizer } from './clip.tokenizer.ts';
export { TokenizerLoadError, type TokenizerLoadErrorCode } from './tokenizer.errors.ts';
export { readTokenizerFiles, type TokenizerFiles, type TokenizerModelFiles } from './tokenizer-files.ts';
export {
  applyPromptWeights,
  parsePromptAttention,
  tokenizeWeightedPrompt,
  type PromptChunk,
  type PromptSegment,
  type TokenizedPrompt,
} from './prompt-weighting.ts';
