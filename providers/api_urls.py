from rest_framework.routers import SimpleRouter

from providers import api

router = SimpleRouter()
router.register("providers", api.ProviderViewSet, basename="provider")

urlpatterns = router.urls
