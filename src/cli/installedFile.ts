import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A file shipped with Promptscope (an example prompt, a trained fixture), by its path from the repository root, looked
 * up from this file's folder upwards: dist/ when bundled, src/cli/ under tsx.
 */
export function installedFile(name: string): string {
    for (let dir = __dirname; ; dir = dirname(dir)) {
        const candidate = join(dir, name);
        if (existsSync(candidate)) return candidate;
        if (dirname(dir) === dir) throw new Error(`${name} is missing from the Promptscope installation`);
    }
}
