import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../definitions/fhir-definitions.ts';
import { badRequest } from '../outcome.ts';
import { parseFhirXml } from '../xml/parse-fhir-xml.ts';

/** The formats `importPaths` reads, by file extension. */
const FORMATS: ReadonlySet<string> = new Set(['.json', '.xml', '.ndjson']);

export interface SourceFiles {
  /** Files to import, in a stable order (sorted within each folder). */
  files: string[];
  /** Paths that cannot be imported at all: missing, or a named file of an unknown format. */
  unreadable: { file: string; reason: string }[];
}

/**
 * The files under the given paths. Folders are walked recursively and only `.json`, `.xml` and
 * `.ndjson` files in them are taken; a file named explicitly must have one of those extensions.
 */
export async function findSourceFiles(paths: readonly string[]): Promise<SourceFiles> {
  const result: SourceFiles = { files: [], unreadable: [] };
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) result.unreadable.push({ file: path, reason: 'no such file or folder' });
    else if (info.isDirectory()) result.files.push(...(await walk(path)));
    else if (FORMATS.has(extname(path).toLowerCase())) result.files.push(path);
    else result.unreadable.push({ file: path, reason: 'not a .json, .xml or .ndjson file' });
  }
  return result;
}

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile() && FORMATS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}

/**
 * The resources in one file: a JSON resource or Bundle, an XML resource or Bundle, or NDJSON
 * (FHIR Bulk Data: one resource per line). Throws a 400 `ProblemError` for content that is not FHIR.
 */
export async function readResources(file: string, defs: FhirDefinitions): Promise<Resource[]> {
  const text = await readFile(file, 'utf8');
  const extension = extname(file).toLowerCase();
  if (extension === '.xml') return [parseFhirXml(text, defs)];
  if (extension === '.ndjson') {
    return text
      .split('\n')
      .map((line, index) => [line.trim(), index + 1] as const)
      .filter(([line]) => line !== '')
      .map(([line, number]) => parseJson(line, `line ${number}`));
  }
  return [parseJson(text, 'file')];
}

function parseJson(text: string, where: string): Resource {
  let value: unknown;
  try {
    // A UTF-8 byte order mark is legal at the start of a JSON file but not for JSON.parse.
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw badRequest(`Malformed JSON in ${where}: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`The ${where} must hold a JSON object with a FHIR resource`);
  }
  return value as Resource;
}
