"""The log tail's reading side: filters, the bounded buffer, severity and anomalies."""
