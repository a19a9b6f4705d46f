/** The reasoning strategies `promptscope run`, `promptscope eval` and the editor's dataset evaluation run (issue 4). */
export type ReasoningStrategy = 'direct' | 'cot' | 'self-consistency' | 'ensemble';

export const reasoningStrategies: readonly ReasoningStrategy[] = ['direct', 'cot', 'self-consistency', 'ensemble'];
