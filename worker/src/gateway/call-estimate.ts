/**
 * What a gateway call may cost at most, known before it runs, so a call the user's remaining allowance cannot
 * cover is refused up front: the allowance check alone sees only finished calls, and one long call (a 4 MiB
 * prompt, a large `max_tokens`) could otherwise run far past the plan. The estimate is deliberately generous:
 * a token is ~4 bytes of English text and more for JSON, so body bytes / 4 overstates the prompt, and
 * `max_tokens` is the most the answer can be. Cache reads would make it cheaper, never dearer.
 */
export const BYTES_PER_TOKEN_ESTIMATE = 4;

export const estimateCallTokens = (bodyBytes: number, maxTokens: number): number =>
  Math.ceil(bodyBytes / BYTES_PER_TOKEN_ESTIMATE) + Math.max(0, maxTokens);

/** True when the estimate fits in what the user has left this period. */
export const allowanceCovers = (remainingTokens: number, estimate: number): boolean =>
  estimate <= remainingTokens;
