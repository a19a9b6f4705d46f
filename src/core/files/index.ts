export { appendLine } from './appendLine';
export { openForAppend, type AppendHandle } from './openForAppend';
export { writeFailure } from './writeFailure';
export { writeProjectFile } from './writeProjectFile';
export { checkWritable, checkWriteTarget, createFolders, type WriteTarget, type WriteTargetOptions } from './writeTarget';
