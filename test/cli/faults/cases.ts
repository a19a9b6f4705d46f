// The fault tables, by theme; test/cli/faults.test.ts runs every row.
import type { FaultCase } from '../../support/faultHarness';
import { flagCases } from './casesFlags';
import { modelCases } from './casesModels';
import { promptCases } from './casesPrompts';
import { readerCases } from './casesReaders';
import { runtimeCases } from './casesRuntime';
import { writeCases } from './casesWrites';

export const faultTables: Readonly<Record<string, FaultCase[]>> = {
    'files the CLI writes': writeCases,
    'files the CLI reads': readerCases,
    '.prompt files': promptCases,
    'flags and environment': flagCases,
    'models and adapters': modelCases,
    'runtime, network, signals and output streams': runtimeCases,
};
