import { readBoundedText } from '../core/files/readBoundedText';
import { checkGbnf } from '../core/grammar/checkGbnf';
import { GrammarFileError } from './GrammarFileError';
import { UsageError } from './UsageError';

/**
 * `--grammar FILE`: the GBNF grammar the file holds, checked with the same checker as the playground and `.prompt`
 * diagnostics, so a mistake is reported at its line and column before a model is loaded. Undefined when absent.
 */
export async function grammarFlag(values: Record<string, unknown>): Promise<string | undefined> {
    const file = values.grammar;
    if (file === undefined) return undefined;
    if (typeof file !== 'string' || file.trim() === '') throw new UsageError('--grammar expects a GBNF file, e.g. --grammar answer.gbnf');
    let text: string;
    try {
        text = await readBoundedText(file, 'grammar');
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new UsageError(`--grammar ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    const check = checkGbnf(text);
    if (!check.ok) throw new GrammarFileError(file, check);
    return text;
}
