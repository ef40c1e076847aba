from django.db import migrations, models


def forget_placeholder_refund_ids(apps, schema_editor):
    # "already-refunded" was written for CAPTURE_FULLY_REFUNDED answers: not a PayPal id, and
    # not unique. Those rows did not make a refund: superseded (the other refund counts).
    PayPalRefund = apps.get_model("ordering", "PayPalRefund")
    PayPalRefund.objects.filter(refund_id="already-refunded").update(refund_id="", state="superseded")


class Migration(migrations.Migration):

    dependencies = [
        ("ordering", "0010_recipes_head_office"),
    ]

    operations = [
        migrations.AlterField(
            model_name="paypalrefund",
            name="state",
            field=models.CharField(
                choices=[("pending", "To retry"), ("completed", "Refunded"), ("superseded", "Refunded another way")],
                default="pending", max_length=10),
        ),
        migrations.RunPython(forget_placeholder_refund_ids, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="paypalrefund",
            constraint=models.UniqueConstraint(condition=models.Q(("refund_id", ""), _negated=True), fields=("refund_id",), name="paypal_refund_id_unique"),
        ),
    ]
