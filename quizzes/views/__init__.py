"""Thin views: parse the request, call one service or queryset, render a page or a partial."""
