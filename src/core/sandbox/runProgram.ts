import { newQuickJSWASMModuleFromVariant, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-singlefile-cjs-release-sync';

/** Limits of one program run. */
export interface ProgramLimits {
    /** Wall-clock time the program may run, in ms. Defaults to 1000. */
    timeoutMs?: number;
    /** Memory the program's heap may use, in bytes. Defaults to 32 MiB. */
    memoryBytes?: number;
    /** Characters of printed output kept; more ends the program. Defaults to 20000. */
    maxOutputChars?: number;
}

/** Why a program did not finish normally. */
export type ProgramFailureKind = 'timeout' | 'resources' | 'exception' | 'output';

export interface ProgramRun {
    /** What it printed, one entry per print/console.log call, arguments joined by spaces. */
    printed: string[];
    /** Absent when it ran to its end. */
    failure?: { kind: ProgramFailureKind; message: string };
    ms: number;
}

let module: Promise<QuickJSWASMModule> | undefined;

/**
 * Runs untrusted JavaScript (a program a model wrote) in QuickJS compiled to WebAssembly (quickjs-emscripten): a fresh
 * runtime per run with a memory limit and a deadline checked by QuickJS's interrupt handler, and nothing of the host
 * but `print` and `console.log`, which only hand strings out. No file system, network, timers, `require` or host
 * objects exist inside; results leave as strings, so nothing the program builds can reach the host's prototypes.
 */
export async function runProgram(code: string, limits: ProgramLimits = {}): Promise<ProgramRun> {
    const started = performance.now();
    const quickjs = await (module ??= newQuickJSWASMModuleFromVariant(releaseSync as never));
    const timeoutMs = limits.timeoutMs ?? 1000;
    const maxOutput = limits.maxOutputChars ?? 20_000;
    const runtime = quickjs.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes ?? 32 * 1024 * 1024);
    // Small enough that QuickJS reports deep recursion itself before WebAssembly runs out of the host thread's stack.
    runtime.setMaxStackSize(256 * 1024);
    const deadline = Date.now() + timeoutMs;
    let interrupted = false;
    runtime.setInterruptHandler(() => {
        if (outputExceeded) return true;
        if (Date.now() <= deadline) return false;
        interrupted = true;
        return true;
    });
    const context = runtime.newContext();
    const printed: string[] = [];
    let outputChars = 0;
    let outputExceeded = false;
    const printer = context.newFunction('print', (...args: QuickJSHandle[]) => {
        const line = args.map(arg => {
            const value: unknown = context.dump(arg);
            return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
        }).join(' ');
        outputChars += line.length;
        if (outputChars > maxOutput) {
            // A thrown error could be caught by the program and it would go on printing: the interrupt handler ends it.
            outputExceeded = true;
            return undefined;
        }
        printed.push(line);
        return undefined;
    });
    const consoleObject = context.newObject();
    context.setProp(consoleObject, 'log', printer);
    context.setProp(context.global, 'print', printer);
    context.setProp(context.global, 'console', consoleObject);
    printer.dispose();
    consoleObject.dispose();
    let failure: ProgramRun['failure'];
    try {
        let result: ReturnType<typeof context.evalCode>;
        try {
            result = context.evalCode(code, 'program.js');
        } catch (error) {
            // The host's own stack ran out inside WebAssembly (deep recursion the stack limit above did not catch): the
            // instance may be inconsistent now, so the next program gets a fresh one.
            if (!(error instanceof RangeError)) throw error;
            module = undefined;
            return { printed, failure: { kind: 'resources', message: 'the program recursed too deeply' }, ms: performance.now() - started };
        }
        if (result.error) {
            const error = context.dump(result.error) as { name?: string; message?: string } | string;
            result.error.dispose();
            const name = typeof error === 'object' && error !== null ? error.name : undefined;
            const message = typeof error === 'object' && error !== null ? `${error.name ?? 'Error'}: ${error.message ?? ''}` : String(error);
            // What stopped it is known from our own state first (deadline, output), then from QuickJS's error class:
            // InternalError is its out-of-memory and stack-overflow error.
            const kind: ProgramFailureKind = outputExceeded ? 'output' : interrupted ? 'timeout' : name === 'InternalError' ? 'resources' : 'exception';
            failure = {
                kind,
                message: kind === 'timeout' ? `the program ran past its ${timeoutMs} ms limit`
                    : kind === 'output' ? `the program printed more than ${maxOutput} characters` : message,
            };
        } else {
            result.value.dispose();
            // Promise callbacks the program queued run now, under the same deadline and limits.
            const jobs = runtime.executePendingJobs();
            if (jobs.error) {
                const error = context.dump(jobs.error) as { name?: string; message?: string };
                jobs.error.dispose();
                failure = interrupted ? { kind: 'timeout', message: `the program ran past its ${timeoutMs} ms limit` }
                    : { kind: error?.name === 'InternalError' ? 'resources' : 'exception', message: `${error?.name ?? 'Error'}: ${error?.message ?? ''}` };
            }
            if (outputExceeded) failure = { kind: 'output', message: `the program printed more than ${maxOutput} characters` };
        }
    } finally {
        try {
            context.dispose();
            runtime.dispose();
        } catch {
            // QuickJS asserts when a runtime that overflowed its stack is freed with objects still listed, which aborts
            // the whole WebAssembly instance: the next program gets a fresh one. The program's own outcome stands.
            module = undefined;
        }
    }
    return { printed, ...(failure ? { failure } : {}), ms: performance.now() - started };
}
