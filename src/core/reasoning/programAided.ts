import type { ChatMessage } from '../prompt/chatMessages';
import { appendToLastUser } from './appendToLastUser';
import { runProgram, type ProgramLimits, type ProgramRun } from '../sandbox/runProgram';

/** What the model is asked, after the prompt's last user turn, in program-aided reasoning (Gao et al. 2022, PAL). */
export const programAidedInstruction = 'Write a JavaScript program that computes the answer and prints it with print(...). '
    + 'Reply with the program only, in one ```javascript code block.';

/** The prompt's turns with the program-aided instruction added to its last user turn (or as a new one). */
export function programAidedMessages(messages: readonly ChatMessage[]): ChatMessage[] {
    return appendToLastUser(messages, `\n\n${programAidedInstruction}`);
}

/** The program in a reply: the first fenced code block (any language tag), else the whole reply. */
export function extractProgram(reply: string): string {
    const fenced = /```[\w+-]*[ \t]*\r?\n([\s\S]*?)```/.exec(reply);
    return (fenced ? fenced[1]! : reply).trim();
}

/** One program-aided path: the reply, its program and what running it printed or why it failed. */
export interface ProgramPath {
    reply: string;
    code: string;
    run: ProgramRun;
    /** The printed output the answer is extracted from (all printed lines). */
    output: string;
}

/** Extracts and runs the program of each reply, one after another (each in a fresh sandbox). */
export async function runPrograms(replies: readonly string[], limits?: ProgramLimits): Promise<ProgramPath[]> {
    const paths: ProgramPath[] = [];
    for (const reply of replies) {
        const code = extractProgram(reply);
        const run = code === '' ? { printed: [], failure: { kind: 'exception' as const, message: 'the reply holds no program' }, ms: 0 } : await runProgram(code, limits);
        paths.push({ reply, code, run, output: run.printed.join('\n') });
    }
    return paths;
}
