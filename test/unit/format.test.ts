import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatParameterCount, formatTokensPerSecond } from '../../src/core/format';

test('formatParameterCount', () => {
    assert.equal(formatParameterCount(64), '64');
    assert.equal(formatParameterCount(1234), '1.23K');
    assert.equal(formatParameterCount(94_100_000), '94.1M');
    assert.equal(formatParameterCount(999_999), '1.00M');
    assert.equal(formatParameterCount(7_241_732_096), '7.24B');
});

test('formatBytes', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.50 KiB');
    assert.equal(formatBytes(188 * 1024 * 1024), '188 MiB');
    assert.equal(formatBytes(4.07 * 1024 ** 3), '4.07 GiB');
});

test('formatTokensPerSecond', () => {
    assert.equal(formatTokensPerSecond(0.4213), '0.42 tok/s');
    assert.equal(formatTokensPerSecond(12.34), '12.3 tok/s');
    assert.equal(formatTokensPerSecond(153.2), '153 tok/s');
    assert.equal(formatTokensPerSecond(0), '– tok/s');
    assert.equal(formatTokensPerSecond(Number.NaN), '– tok/s');
});
