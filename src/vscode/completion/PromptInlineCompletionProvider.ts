import * as vscode from 'vscode';
import { frontMatterBodyLine } from '../../core/inlineCompletion/frontMatterBodyLine';
import { selectCompletionWindow } from '../../core/inlineCompletion/selectCompletionWindow';
import { SuggestionMemory, type SuggestionPlace } from '../../core/inlineCompletion/SuggestionMemory';
import { trimCompletion } from '../../core/inlineCompletion/trimCompletion';
import type { Config } from '../Config';
import type { ModelService } from '../ModelService';
import type { CompletionSpinner } from './CompletionSpinner';

export interface PromptInlineCompletionOptions {
    models: ModelService;
    config: Config;
    log: vscode.LogOutputChannel;
    spinner: CompletionSpinner;
    /** Quiet time after the last keystroke before the model is asked. Defaults to `300` ms. */
    debounceMs?: number;
}

/**
 * Ghost text in the template body of `.prompt` files (not in the YAML front matter), from the model that is already
 * loaded: a completion never loads, reloads or restarts anything, so with no model there is simply none. VS Code
 * cancels the token on the next keystroke; that aborts the runtime request, whose evaluated prefix the next
 * request reuses from the runtime's dedicated inline sequence. While the user types what the ghost text shows, the
 * rest of it is served from memory ({@link SuggestionMemory}) at once: no debounce, no model call.
 */
export class PromptInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
    private readonly debounceMs: number;
    private readonly shown = new SuggestionMemory();

    constructor(private readonly options: PromptInlineCompletionOptions) {
        this.debounceMs = options.debounceMs ?? 300;
    }

    async provideInlineCompletionItems(
        document: vscode.TextDocument,
        position: vscode.Position,
        _context: vscode.InlineCompletionContext,
        token: vscode.CancellationToken,
    ): Promise<vscode.InlineCompletionItem[] | undefined> {
        const { models, config, log } = this.options;
        const settings = config.inlineCompletion;
        if (!settings.enabled || !this.modelReady()) {
            this.shown.forget();
            return undefined;
        }
        const bodyLine = frontMatterBodyLine(document.lineCount, line => document.lineAt(line).text);
        if (position.line < bodyLine) {
            this.shown.forget();
            return undefined;
        }
        const text = document.getText();
        // What the suggestion depends on besides the text: a changed setting or model never serves an old one.
        const context = JSON.stringify([models.model!.path, models.model!.lora, settings]);
        const place: SuggestionPlace = { document: document.uri.toString(), version: document.version, text, offset: document.offsetAt(position), context };
        const rest = token.isCancellationRequested ? undefined : this.shown.rest(place);
        if (rest !== undefined) {
            log.trace(`Inline completion typed through: ${rest.length} characters of the shown suggestion left, no model call`);
            return [new vscode.InlineCompletionItem(rest, new vscode.Range(position, position))];
        }

        if (!await quietFor(this.debounceMs, token) || !this.modelReady()) return undefined;
        const model = models.model!;
        const window = selectCompletionWindow(text, document.offsetAt(new vscode.Position(bodyLine, 0)), place.offset);
        if (window.prefix.trim() === '') return undefined;
        // Text after the cursor can only be respected by a fill-in-the-middle model; continuing over it would garble the line.
        if (window.restOfLine.trim() !== '' && !model.supportsInfill) return undefined;

        const controller = new AbortController();
        const cancellation = token.onCancellationRequested(() => controller.abort());
        const endSpinner = this.options.spinner.begin();
        try {
            const result = await models.client.completeInline({
                prefix: window.prefix,
                ...(model.supportsInfill ? { suffix: window.suffix } : {}),
                stopAt: 'line',
                sampling: { maxTokens: settings.maxTokens },
            }, { signal: controller.signal });
            const { timing } = result;
            log.trace(`Inline completion (${result.mode}): ${timing.generatedTokens} tokens in ${Math.round(timing.ms)} ms, `
                + `${timing.reusedPromptTokens ?? 0}/${timing.promptTokens} prompt tokens reused, ${result.stopReason}`);
            if (result.stopReason === 'aborted' || token.isCancellationRequested) return undefined;
            const suggestion = trimCompletion(result.text, { prefix: window.prefix, restOfLine: window.restOfLine, stopAt: 'line' });
            this.shown.remember(place, suggestion);
            return suggestion === '' ? undefined : [new vscode.InlineCompletionItem(suggestion, new vscode.Range(position, position))];
        } catch (error) {
            // Typing must never raise error toasts; the log says what happened.
            log.debug(`Inline completion failed: ${error instanceof Error ? error.message : String(error)}`);
            return undefined;
        } finally {
            cancellation.dispose();
            endSpinner();
        }
    }

    /**
     * A model is loaded and its runtime is up. A stopped runtime would restart and reload the model on the next
     * request, which a keystroke must not set off; a load in progress belongs to someone else.
     */
    private modelReady(): boolean {
        const { models } = this.options;
        const state = models.client.state;
        return models.model !== undefined && models.loadingModel === undefined && (state === 'ready' || state === 'busy');
    }
}

/** Resolves `true` after `ms` of no cancellation, `false` as soon as `token` is cancelled. */
function quietFor(ms: number, token: vscode.CancellationToken): Promise<boolean> {
    if (token.isCancellationRequested) return Promise.resolve(false);
    return new Promise(resolve => {
        const timer = setTimeout(() => {
            subscription.dispose();
            resolve(true);
        }, ms);
        const subscription = token.onCancellationRequested(() => {
            clearTimeout(timer);
            subscription.dispose();
            resolve(false);
        });
    });
}
