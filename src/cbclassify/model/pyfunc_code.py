"""MLflow "models from code" entry file for the credit-source pyfunc.

MLflow copies this file into the logged model and runs it when loading (instead of unpickling
an object). It is never imported by the package itself.
"""

from mlflow.models import set_model

from cbclassify.model.pyfunc import CreditSourcePyfunc

set_model(CreditSourcePyfunc())
