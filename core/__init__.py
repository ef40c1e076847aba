"""Cross-cutting helpers shared by every app: money, opening hours and ops commands. No models."""
