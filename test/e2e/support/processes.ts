import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it. */
export interface ProcessInfo {
    pid: number;
    ppid: number;
    /** argv joined with spaces. */
    command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The command name in parentheses may itself contain spaces or parentheses: parse after the last ')'.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        return { pid, ppid: Number(fields[1]), command };
    } catch {
        return undefined; // exited while we were looking
    }
}

/** Every live descendant of `rootPid` (children, grandchildren, …), read from /proc. */
export function descendantsOf(rootPid: number): ProcessInfo[] {
    const all = readdirSync('/proc').filter(name => /^\d+$/.test(name)).map(name => readProcess(Number(name))).filter((p): p is ProcessInfo => p !== undefined);
    const children = new Map<number, ProcessInfo[]>();
    for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const found: ProcessInfo[] = [];
    const queue = [rootPid];
    while (queue.length > 0) {
        for (const child of children.get(queue.shift()!) ?? []) {
            found.push(child);
            queue.push(child.pid);
        }
    }
    return found;
}

export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}
