import type { CliCommand } from './CliCommand';
import { benchCommand } from './commands/bench';
import { buildRuntimeCommand } from './commands/buildRuntime';
import { fixtureModelCommand } from './commands/fixtureModel';
import { trainFixtureCommand } from './commands/trainFixture';
import { quantizeCommand } from './commands/quantize';
import { compareModelsCommand } from './commands/compareModels';
import { watermarkCommand } from './commands/watermark';
import { infoCommand } from './commands/info';
import { probsCommand } from './commands/probs';
import { attentionCommand } from './commands/attention';
import { renderCommand } from './commands/render';
import { runWithStrategyCommand as runCommand } from './commands/runWithStrategy';
import { scoreCommand } from './commands/score';
import { decodeCommand } from './commands/decode';
import { evalCommand } from './commands/evaluate';
import { indexCommand } from './commands/indexDocuments';
import { experimentsCommand } from './commands/experiments';

/** Every subcommand, in the order `promptscope --help` lists them. Add a command by importing it here. */
export const commands: CliCommand[] = [
    runCommand,
    scoreCommand,
    evalCommand,
    renderCommand,
    indexCommand,
    infoCommand,
    probsCommand,
    decodeCommand,
    attentionCommand,
    fixtureModelCommand,
    trainFixtureCommand,
    experimentsCommand,
    quantizeCommand,
    compareModelsCommand,
    watermarkCommand,
    benchCommand,
    buildRuntimeCommand,
];
