/** The strategies `promptscope run` and `promptscope eval` run (issue 4). */
export type CliStrategy = 'direct' | 'cot' | 'self-consistency' | 'ensemble';

export const cliStrategies: readonly CliStrategy[] = ['direct', 'cot', 'self-consistency', 'ensemble'];
