import { accessSync, constants, lstatSync, mkdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UnsafePathError } from '../../shared/errors/UnsafePathError';
import { notRegularFix, symlinkFix, writeFailure } from './writeFailure';

export interface WriteTargetOptions {
    /**
     * The folder the file must stay inside (a workspace folder, the project's cache): the file must be below it, and
     * every folder between it and the file must be a real folder, not a symbolic link. The folder itself is trusted as
     * given (a workspace may be opened through a link). Defaults to the file's own folder: for a path the user named
     * (`--out`), where only the file itself is checked.
     */
    root?: string;
}

/** A checked target: its absolute path, its trusted folder and the folders between them, outermost first. */
export interface WriteTarget {
    path: string;
    root: string;
    folders: string[];
    /** Whether the file exists already (a regular file). */
    exists: boolean;
}

/**
 * Checks that `path` may be written: inside `options.root`, no symbolic link on the way from it (lstat of each
 * component, never following one), and the file, if it exists, a regular file. Folders that do not exist yet are
 * fine (see {@link createFolders}). Throws an {@link UnsafePathError} naming the path and what is wrong.
 */
export function checkWriteTarget(path: string, options: WriteTargetOptions = {}): WriteTarget {
    const file = resolve(path);
    const root = resolve(options.root ?? dirname(file));
    const inside = relative(root, file);
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
        throw new UnsafePathError(file, `it is outside ${root}, the folder it belongs in`, 'Choose a path inside that folder');
    }
    const parts = inside.split(sep);
    const folders: string[] = [];
    for (let i = 1; i < parts.length; i++) folders.push(join(root, ...parts.slice(0, i)));
    for (const folder of folders) {
        const stats = lstatOrUndefined(folder, file);
        if (stats === undefined) return { path: file, root, folders, exists: false };
        if (stats.isSymbolicLink()) throw new UnsafePathError(file, `${folder} is a symbolic link${linkTarget(folder)}`, symlinkFix);
        if (!stats.isDirectory()) throw new UnsafePathError(file, `${folder} is not a folder`, 'Remove it or choose another path');
    }
    const stats = lstatOrUndefined(file, file);
    if (stats !== undefined) refuseNonRegular(file, stats);
    return { path: file, root, folders, exists: stats !== undefined };
}

/**
 * {@link checkWriteTarget}, then whether writing can succeed as far as can be told before doing it: the file (or, when
 * it does not exist yet, the nearest existing folder above it) is writable. For a path a user named, checked before a
 * long generation so that a mistake costs nothing. Throws an UnsafePathError or FileWriteError naming the path.
 */
export function checkWritable(path: string, options: WriteTargetOptions = {}): WriteTarget {
    const target = checkWriteTarget(path, options);
    let existing = target.exists ? target.path : dirname(target.path);
    while (lstatOrUndefined(existing, target.path) === undefined && dirname(existing) !== existing) existing = dirname(existing);
    try {
        accessSync(existing, constants.W_OK);
    } catch (error) {
        throw writeFailure(error, target.path);
    }
    return target;
}

/**
 * Creates the target's missing folders one at a time (never `recursive`, which would follow a link planted on the way),
 * the trusted root with them; a folder that appears meanwhile is checked again.
 */
export function createFolders(target: WriteTarget): void {
    try {
        mkdirSync(target.root, { recursive: true });
    } catch (error) {
        throw writeFailure(error, target.path);
    }
    for (const folder of target.folders) {
        try {
            mkdirSync(folder);
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailure(error, target.path);
            const stats = lstatSync(folder);
            if (!stats.isDirectory() || stats.isSymbolicLink()) throw new UnsafePathError(target.path, `${folder} is not a real folder`, symlinkFix);
        }
    }
}

/**
 * After opening: the file's folder, links resolved, is still where the checks found it. Catches a folder swapped for a
 * link between {@link checkWriteTarget} and the open (the open itself refuses a link only in the last component).
 */
export function confirmFolder(target: WriteTarget): void {
    const expected = join(realpathSync(target.root), relative(target.root, dirname(target.path)));
    const actual = realpathSync(dirname(target.path));
    if (actual !== expected) throw new UnsafePathError(target.path, `its folder resolves to ${actual}, outside ${target.root}`, symlinkFix);
}

/** Refuses anything but a regular file. */
export function refuseNonRegular(path: string, stats: Stats): void {
    if (stats.isFile()) return;
    if (stats.isSymbolicLink()) throw new UnsafePathError(path, `it is a symbolic link${linkTarget(path)}`, symlinkFix);
    if (stats.isDirectory()) throw new UnsafePathError(path, 'it is a directory', notRegularFix);
    if (stats.isFIFO()) throw new UnsafePathError(path, 'it is a FIFO (named pipe)', notRegularFix);
    if (stats.isSocket()) throw new UnsafePathError(path, 'it is a socket', notRegularFix);
    throw new UnsafePathError(path, 'it is a device', notRegularFix);
}

function lstatOrUndefined(path: string, target: string): Stats | undefined {
    try {
        return lstatSync(path);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw writeFailure(error, target);
    }
}

/** ` (to TARGET)` for a link, so the user sees what the workspace pointed at. */
function linkTarget(path: string): string {
    try {
        return ` (to ${readlinkSync(path)})`;
    } catch {
        return '';
    }
}
