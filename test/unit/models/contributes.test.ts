import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSULT_INPUT_SCHEMA, CONSULT_TOOL_NAME } from '../../../src/models/consult';
import { modelSchema } from '../../../src/pipeline/config';

// VS Code reads the tool's schema and the vendor from package.json, the code from its own constants: keep them one.
const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));

describe('package.json: model vendor and consult tool', () => {
  it('declares the smoa vendor the provider registers', () => {
    assert.deepEqual(
      pkg.contributes.languageModelChatProviders.map((p: { vendor: string }) => p.vendor),
      ['smoa'],
    );
  });

  it('declares smoa_consult with the input schema the code validates, referenceable as #smoa', () => {
    const tool = pkg.contributes.languageModelTools.find((t: { name: string }) => t.name === CONSULT_TOOL_NAME);
    assert.ok(tool);
    assert.deepEqual(tool.inputSchema, JSON.parse(JSON.stringify(CONSULT_INPUT_SCHEMA)));
    assert.equal(tool.toolReferenceName, 'smoa');
    assert.equal(tool.canBeReferencedInPrompt, true);
    for (const field of ['displayName', 'modelDescription', 'userDescription']) assert.ok(tool[field], `${field} is set`);
  });

  it('lets the smoa.models setting carry every field of a model entry, toolCalling included', () => {
    const declared = Object.keys(pkg.contributes.configuration.properties['smoa.models'].items.properties).sort();
    assert.deepEqual(declared, Object.keys(modelSchema.shape).sort());
  });
});
