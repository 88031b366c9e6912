"""${{ values.name }}: consumes messages from an Azure Service Bus queue."""
