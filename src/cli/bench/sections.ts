import { attentionSection } from './attentionSection';
import { beamSearchSection } from './beamSearchSection';
import type { BenchSection } from './BenchSection';
import { inlineCompletionSection } from './inlineCompletionSection';
import { labelScoringSection } from './labelScoringSection';
import { nPathsSection } from './nPathsSection';
import { referenceSection } from './referenceSection';
import { retrievalSection } from './retrievalSection';
import { scaleSection } from './scaleSection';
import { selfConsistencySection } from './selfConsistencySection';
import { speculativeSection } from './speculativeSection';
import { throughputSection } from './throughputSection';
import { tokenProbabilitiesSection } from './tokenProbabilitiesSection';
import { treeOfThoughtSection } from './treeOfThoughtSection';

/**
 * Every section of `promptscope bench`, in report order. A section may read the figures of those before it
 * (`ctx.results`), so the reference comes after the throughput it compares with. Add a feature's section here.
 */
export const benchSections: BenchSection[] = [
    throughputSection,
    referenceSection,
    inlineCompletionSection,
    tokenProbabilitiesSection,
    labelScoringSection,
    attentionSection,
    selfConsistencySection,
    nPathsSection,
    beamSearchSection,
    treeOfThoughtSection,
    speculativeSection,
    retrievalSection,
    scaleSection,
];
