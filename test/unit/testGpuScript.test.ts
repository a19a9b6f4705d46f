// `npm run test:gpu` on a machine without an NVIDIA GPU says so plainly and succeeds (the CUDA suite itself runs only
// where nvidia-smi lists a GPU). PATH is narrowed to a folder with node alone, or with an nvidia-smi that fails as it
// does when the driver is installed but no GPU is usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(__dirname, '..', '..', 'scripts', 'test-gpu.mjs');

function runWithPath(prepare: (bin: string) => void): { status: number | null; stdout: string } {
    const bin = mkdtempSync(join(tmpdir(), 'promptscope-gpu-path-'));
    try {
        symlinkSync(process.execPath, join(bin, 'node'));
        prepare(bin);
        const result = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, PATH: bin } });
        return { status: result.status, stdout: result.stdout };
    } finally {
        rmSync(bin, { recursive: true, force: true });
    }
}

test('no nvidia-smi: skipped, saying there is no NVIDIA driver, exit 0', () => {
    const run = runWithPath(() => undefined);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^\[test:gpu\] SKIPPED: nvidia-smi is not on PATH \(ENOENT\): no NVIDIA driver on this machine\./m);
});

test('nvidia-smi that fails: skipped with its first line of output, exit 0', () => {
    const run = runWithPath(bin => {
        const fake = join(bin, 'nvidia-smi');
        writeFileSync(fake, '#!/bin/sh\necho "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2\nexit 9\n');
        chmodSync(fake, 0o755);
    });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /SKIPPED: nvidia-smi failed \(exit 9\): NVIDIA-SMI has failed because it couldn't communicate/);
});
