from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place"),
]
