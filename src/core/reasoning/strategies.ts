/** The reasoning strategies `promptscope run`, `promptscope eval` and the editor's dataset evaluation run (issue 4). */
export type ReasoningStrategy = 'direct' | 'cot' | 'self-consistency' | 'ensemble' | 'program-aided' | 'tree-of-thought' | 'self-ask';

export const reasoningStrategies: readonly ReasoningStrategy[] = ['direct', 'cot', 'self-consistency', 'ensemble', 'program-aided', 'tree-of-thought', 'self-ask'];
