"""Several (partial) refunds per PayPal capture, in the capture's currency, each with
its own PayPal-Request-Id. Refunds recorded before keep the request id they were
sent with (refund-<capture id>), so a retry stays the same refund at PayPal."""

from django.db import migrations, models
import django.db.models.deletion


def keep_request_ids(apps, schema_editor):
    PayPalRefund = apps.get_model("ordering", "PayPalRefund")
    for refund in PayPalRefund.objects.select_related("payment"):
        refund.request_id = f"refund-{refund.payment.capture_id}"
        refund.currency = refund.payment.currency
        refund.save(update_fields=["request_id", "currency"])


class Migration(migrations.Migration):
    dependencies = [("ordering", "0006_staff_permissions")]

    operations = [
        migrations.AddField(model_name="paypalpayment", name="capture_currency", field=models.CharField(blank=True, max_length=3)),
        migrations.AlterField(
            model_name="paypalrefund", name="payment",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="refunds", to="ordering.paypalpayment"),
        ),
        migrations.AddField(model_name="paypalrefund", name="currency", field=models.CharField(default="EUR", max_length=3)),
        migrations.AddField(model_name="paypalrefund", name="reason", field=models.CharField(blank=True, max_length=40)),
        migrations.AddField(model_name="paypalrefund", name="request_id", field=models.CharField(default="", max_length=100), preserve_default=False),
        migrations.RunPython(keep_request_ids, migrations.RunPython.noop),
        migrations.AlterField(model_name="paypalrefund", name="request_id", field=models.CharField(max_length=100, unique=True)),
        migrations.AlterModelOptions(name="paypalrefund", options={"ordering": ["created_at", "pk"]}),
    ]
