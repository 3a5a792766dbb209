"""Relocation: Sentry-compatible import and export of users and organizations."""
