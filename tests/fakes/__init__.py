"""Fakes of external services on 127.0.0.1, answering with the real APIs' response shapes."""
