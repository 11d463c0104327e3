import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_CATEGORY, COMMANDS, INTERNAL_COMMANDS, PARTICIPANT_ID, PROVIDER_VENDOR, paletteName } from '../../../src/host/command-ids';

// VS Code knows the commands, the participant and the vendor from package.json; the code from command-ids.ts.
const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('command ids', () => {
  it('are exactly the commands package.json contributes, with the same titles and category', () => {
    const declared = pkg.contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, c.title, c.category]);
    const ours = Object.values(COMMANDS).map((c) => [c.id, c.title, COMMAND_CATEGORY]);
    assert.deepEqual([...ours].sort(), [...declared].sort());
    for (const id of Object.values(INTERNAL_COMMANDS)) assert.ok(!declared.some((d: string[]) => d[0] === id), `${id} is not in the palette`);
  });

  it('name the participant and the model vendor package.json declares', () => {
    assert.equal(`${pkg.publisher}.${pkg.contributes.chatParticipants[0].id.split('.').pop()}`, PARTICIPANT_ID);
    assert.deepEqual(pkg.contributes.chatParticipants.map((p: { id: string }) => p.id), [PARTICIPANT_ID]);
    assert.deepEqual(pkg.contributes.languageModelChatProviders.map((p: { vendor: string }) => p.vendor), [PROVIDER_VENDOR]);
    assert.equal(pkg.contributes.languageModelChatProviders[0].managementCommand, COMMANDS.configureModels.id);
  });

  it('every "SMoA: <command>" a message names is a command in the palette', () => {
    const palette = new Set(Object.keys(COMMANDS).map((name) => paletteName(name as keyof typeof COMMANDS)));
    const named: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/"SMoA: ([A-Z][A-Za-z ]+)"/g)) named.push(`SMoA: ${m[1]}|${file.slice(root.length + 1)}`);
    }
    assert.ok(named.length > 0);
    const unknown = named.filter((n) => !palette.has(n.split('|')[0]));
    assert.deepEqual(unknown, []);
  });

  it('no source file spells a smoa.* command id outside command-ids.ts', () => {
    const ids = [...Object.values(COMMANDS).map((c) => c.id), ...Object.values(INTERNAL_COMMANDS)];
    const spelled = sourceFiles(join(root, 'src')).flatMap((file) => {
      if (file.endsWith('command-ids.ts')) return [];
      const text = readFileSync(file, 'utf8');
      return ids.filter((id) => text.includes(`'${id}'`) || text.includes(`"${id}"`)).map((id) => `${id} in ${file.slice(root.length + 1)}`);
    });
    assert.deepEqual(spelled, []);
  });
});
