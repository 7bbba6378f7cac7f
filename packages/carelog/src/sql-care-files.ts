// CareFiles in the node's database (SQLite or PostgreSQL through @ketenlog/storage). Every row is
// read once at open into memory, which the views read; each save writes through and resolves when
// it is committed. One node process owns its organisation's care files. The primary key on a
// declared entry makes declaring one hour twice impossible in the database as well.
import type { Db } from '@ketenlog/storage';
import { MemoryCareFiles, type CareFile, type CareFiles, type Declaration } from './care-file.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS carelog_files (indication TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS carelog_corrections (corrected TEXT PRIMARY KEY, rejected TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS carelog_declarations (id TEXT PRIMARY KEY, insurer TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS carelog_declared (entry TEXT PRIMARY KEY, declaration TEXT NOT NULL)
`;

export class SqlCareFiles implements CareFiles {
  readonly #db: Db;
  readonly #cache: MemoryCareFiles;

  private constructor(db: Db, cache: MemoryCareFiles) {
    this.#db = db;
    this.#cache = cache;
  }

  static async open(db: Db): Promise<SqlCareFiles> {
    await db.exec(SCHEMA);
    const cache = new MemoryCareFiles();
    for (const row of await db.all<{ body: string }>('SELECT body FROM carelog_files'))
      cache.saveFile(JSON.parse(row.body) as CareFile);
    for (const row of await db.all<{ corrected: string; rejected: string }>(
      'SELECT corrected, rejected FROM carelog_corrections',
    ))
      cache.saveCorrection(row.corrected, row.rejected);
    for (const row of await db.all<{ body: string }>('SELECT body FROM carelog_declarations'))
      cache.saveDeclaration(JSON.parse(row.body) as Declaration);
    return new SqlCareFiles(db, cache);
  }

  file(indication: string): CareFile | undefined {
    return this.#cache.file(indication);
  }
  files(): readonly CareFile[] {
    return this.#cache.files();
  }
  correctionOf(entry: string): string | undefined {
    return this.#cache.correctionOf(entry);
  }
  supersededBy(entry: string): string | undefined {
    return this.#cache.supersededBy(entry);
  }
  declarationOf(entry: string): string | undefined {
    return this.#cache.declarationOf(entry);
  }
  declaration(id: string): Declaration | undefined {
    return this.#cache.declaration(id);
  }
  declarations(insurer?: string): readonly Declaration[] {
    return this.#cache.declarations(insurer);
  }

  async saveFile(file: CareFile): Promise<void> {
    this.#cache.saveFile(file);
    await this.#db.run(
      'INSERT INTO carelog_files (indication, body) VALUES (?, ?) ON CONFLICT (indication) DO UPDATE SET body = excluded.body',
      [file.indication, JSON.stringify(file)],
    );
  }

  async saveCorrection(corrected: string, rejected: string): Promise<void> {
    this.#cache.saveCorrection(corrected, rejected);
    await this.#db.run('INSERT INTO carelog_corrections (corrected, rejected) VALUES (?, ?)', [
      corrected,
      rejected,
    ]);
  }

  async saveDeclaration(declaration: Declaration): Promise<void> {
    const known = this.#cache.declaration(declaration.id) !== undefined;
    this.#cache.saveDeclaration(declaration);
    const body = JSON.stringify(declaration);
    if (known) {
      await this.#db.run('UPDATE carelog_declarations SET body = ? WHERE id = ?', [body, declaration.id]);
      return;
    }
    await this.#db.transaction(async (tx) => {
      await tx.run('INSERT INTO carelog_declarations (id, insurer, body) VALUES (?, ?, ?)', [
        declaration.id,
        declaration.insurer,
        body,
      ]);
      for (const entry of declaration.entries)
        await tx.run('INSERT INTO carelog_declared (entry, declaration) VALUES (?, ?)', [
          entry,
          declaration.id,
        ]);
    });
  }
}
