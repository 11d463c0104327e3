// Minimal placeholder so the extension builds, packages and activates in the real-VS-Code tests.
// Others fill it in: chat participant, views, language model provider (each feature registers its own disposables).
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
