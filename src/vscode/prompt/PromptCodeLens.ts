import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { promptDocumentOf, toRange } from './promptSource';

/** `▶ Run`, `Render`, `Probabilities`, `Attention` and `Decoding Lab` above the front matter, or above line 1 when there is none. */
export class PromptCodeLens implements vscode.CodeLensProvider {
    provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
        const frontMatter = promptDocumentOf(document).frontMatterRange();
        const range = frontMatter === undefined ? new vscode.Range(0, 0, 0, 0) : toRange(frontMatter);
        return [
            new vscode.CodeLens(range, { title: '▶ Run', command: CommandId.runPrompt, arguments: [document.uri], tooltip: 'Run this prompt on the loaded model' }),
            new vscode.CodeLens(range, { title: 'Render', command: CommandId.renderPrompt, arguments: [document.uri], tooltip: 'Show the rendered prompt (Dotprompt RenderedPrompt)' }),
            new vscode.CodeLens(range, { title: 'Probabilities', command: CommandId.showTokenProbabilities, arguments: [document.uri], tooltip: 'Show the probability of every token of the prompt and of a short generation' }),
            new vscode.CodeLens(range, { title: 'Attention', command: CommandId.showAttention, arguments: [document.uri], tooltip: 'Show where each token of the rendered prompt attends, per layer and head' }),
            new vscode.CodeLens(range, { title: 'Decoding Lab', command: CommandId.openDecodingLab, arguments: [document.uri], tooltip: 'Decode this prompt by greedy, beam search and sampling side by side, with the beam search tree' }),
        ];
    }
}
